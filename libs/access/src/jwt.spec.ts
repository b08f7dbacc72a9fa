import { JwtError, signJwt, verifyJwt } from './jwt';
import { hashPassword, passwordProblems, verifyPassword } from './password';

const secret = Buffer.from('0123456789abcdef0123456789abcdef');
const claims = { sub: 'li', uid: 7, iat: 1000, exp: 1900, jti: 'x' };
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('jwt', () => {
  it('round-trips a signed token before it expires', () => {
    expect(verifyJwt(signJwt(claims, secret), secret, 1500)).toEqual(claims);
  });

  it.each([
    ['expired', () => signJwt(claims, secret), 1900, 'token expired'],
    [
      'forged signature',
      () => signJwt(claims, Buffer.from('another secret of 32 bytes......')),
      1500,
      'bad signature',
    ],
    [
      'alg none',
      () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`,
      1500,
      'algorithm none is not accepted',
    ],
    [
      'alg HS512 header swap',
      () => {
        const [, p, s] = signJwt(claims, secret).split('.');
        return `${b64({ alg: 'HS512' })}.${p}.${s}`;
      },
      1500,
      'not accepted',
    ],
    [
      'payload edited after signing',
      () => {
        const [h, , s] = signJwt(claims, secret).split('.');
        return `${h}.${b64({ ...claims, sub: 'admin' })}.${s}`;
      },
      1500,
      'bad signature',
    ],
    ['garbage', () => 'abc', 1500, 'malformed token'],
  ])('refuses a %s token', (_name, make, now, message) => {
    expect(() => verifyJwt(make(), secret, now)).toThrow(JwtError);
    expect(() => verifyJwt(make(), secret, now)).toThrow(message);
  });
});

describe('password', () => {
  it('hashes with scrypt and a random salt, and verifies', async () => {
    const a = await hashPassword('Secret123456');
    const b = await hashPassword('Secret123456');
    expect(a).toMatch(/^scrypt\$32768\$8\$3\$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('Secret123456', a)).toBe(true);
    expect(await verifyPassword('Secret123457', a)).toBe(false);
    expect(await verifyPassword('Secret123456', 'plain')).toBe(false);
  });

  it('states what a weak password lacks', () => {
    expect(passwordProblems('short1')).toContain('must be at least 10 characters');
    expect(passwordProblems('onlyletterslong')).toContain('must mix letters and digits');
    expect(passwordProblems('good password 42')).toEqual([]);
  });
});
