import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Minimal HS256 JWTs. Only HS256 is accepted: a token claiming `alg: none` or any other algorithm
 * is refused before its signature is even looked at (the classic alg-confusion attacks).
 */
export interface AccessClaims {
  sub: string;
  /** user id */
  uid: number;
  iat: number;
  /** the user's session epoch at issue: raising it ends the token (absent = 0) */
  sep?: number;
  /** the login session (refresh-token chain) the token belongs to: a logout of it ends it */
  sid?: string;
  exp: number;
  /** token id, for logs */
  jti: string;
}

export class JwtError extends Error {}

const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');
const HEADER = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

export function signJwt(claims: AccessClaims, secret: Buffer): string {
  const payload = b64url(JSON.stringify(claims));
  const sig = createHmac('sha256', secret).update(`${HEADER}.${payload}`).digest();
  return `${HEADER}.${payload}.${b64url(sig)}`;
}

export function verifyJwt(token: string, secret: Buffer, nowSeconds: number): AccessClaims {
  const parts = token.split('.');
  if (parts.length !== 3) throw new JwtError('malformed token');
  let header: { alg?: unknown; typ?: unknown };
  try {
    header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
  } catch {
    throw new JwtError('malformed token header');
  }
  if (header.alg !== 'HS256') throw new JwtError(`algorithm ${String(header.alg)} is not accepted`);
  const expected = createHmac('sha256', secret).update(`${parts[0]}.${parts[1]}`).digest();
  const given = Buffer.from(parts[2], 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw new JwtError('bad signature');
  let claims: AccessClaims;
  try {
    claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    throw new JwtError('malformed token payload');
  }
  if (typeof claims.exp !== 'number' || claims.exp <= nowSeconds)
    throw new JwtError('token expired');
  if (typeof claims.sub !== 'string' || typeof claims.uid !== 'number')
    throw new JwtError('malformed claims');
  return claims;
}
