import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  APP_CONFIG,
  type AppConfig,
  CLOCK,
  type Clock,
  CrmError,
  DB,
  type Db,
  ErrorCode,
  fromDbTimestamp,
  isUniqueViolation,
  toDbTimestamp,
} from '@crm/common';
import { MetaService } from '@crm/metadata';
import { AuditService } from './audit.service';
import { IdentityService, type User } from './identity.service';
import { JwtError, signJwt, verifyJwt } from './jwt';
import { hashPassword, needsRehash, passwordProblems, verifyPassword } from './password';
import { Principal } from './principal';

export interface TokenPair {
  accessToken: string;
  tokenType: 'Bearer';
  /** Seconds until the access token expires. */
  expiresIn: number;
  refreshToken: string;
}

/** Failed logins allowed per address, as a multiple of those allowed per login. */
export const ADDRESS_FACTOR = 4;
/** API tokens are recognisable (for secret scanners) and never JWTs. */
const API_TOKEN_PREFIX = 'crmapi_';
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
const unauthenticated = (message: string): CrmError =>
  new CrmError(ErrorCode.Unauthenticated, message, [{ path: 'authorization', message }]);

/**
 * Sessions: login (rate-limited per user and per address), short-lived HS256 access tokens,
 * rotating refresh tokens stored as hashes, logout, password change, API tokens. All time comes
 * from the injected clock, so expiry and rate-limit windows are tested by moving it.
 */
@Injectable()
export class AuthService {
  private readonly log = new Logger('auth');
  private secret?: Buffer;

  constructor(
    @Inject(DB) private readonly db: Db,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly meta: MetaService,
    private readonly identity: IdentityService,
    private readonly audit: AuditService,
  ) {}

  /** First start: the JWT secret, and an `admin` user when there is no user at all. */
  async init(): Promise<void> {
    this.secret = await this.loadSecret();
    if ((await this.identity.countUsers()) > 0) return;
    const generated = !this.config.adminPassword;
    const password = this.config.adminPassword ?? randomBytes(12).toString('base64url') + '7a';
    try {
      const u = await this.identity.createUser(
        { login: 'admin', displayName: 'Administrator', roles: ['admin'], locale: 'en' },
        'system',
      );
      await this.identity.setPasswordHash(u.id, await hashPassword(password));
    } catch (e) {
      if (e instanceof CrmError && e.code === ErrorCode.UniqueViolation) return; // another node won
      throw e;
    }
    if (generated)
      this.log.warn(`created user "admin" with password ${password} (shown once; change it)`);
    else this.log.log('created user "admin" with the password from ADMIN_PASSWORD');
  }

  /** JWT_SECRET, else one secret generated once and kept in the database so every node shares it. */
  private async loadSecret(): Promise<Buffer> {
    if (this.config.jwtSecret) return Buffer.from(this.config.jwtSecret);
    const read = async () =>
      (
        await this.db.query<{ value: string }>(
          "SELECT value FROM crm_setting WHERE setting_key = 'jwt_secret'",
        )
      )[0]?.value;
    let v = await read();
    if (!v) {
      try {
        await this.db.execute(
          "INSERT INTO crm_setting (setting_key, value) VALUES ('jwt_secret', ?)",
          [randomBytes(32).toString('base64')],
        );
      } catch (e) {
        if (!isUniqueViolation(e)) throw e;
      }
      v = await read();
    }
    return Buffer.from(v!, 'base64');
  }

  private nowSeconds(): number {
    return Math.floor(this.clock.now().getTime() / 1000);
  }

  // ---- login and tokens ----------------------------------------------------------------------

  /** Failed attempts per user and per address inside the window; over the limit → 429. */
  private async assertNotLimited(keys: string[]): Promise<void> {
    const since = toDbTimestamp(
      new Date(this.clock.now().getTime() - this.config.loginWindow * 1000),
    );
    for (const key of keys) {
      const [r] = await this.db.query<{ n: number }>(
        'SELECT COUNT(*) AS n FROM crm_login_attempt WHERE attempt_key = ? AND at > ?',
        [key, since],
      );
      // an address is shared by everyone behind one NAT: it gets more room than a single login
      const limit = this.config.loginMaxAttempts * (key.startsWith('addr:') ? ADDRESS_FACTOR : 1);
      if (Number(r.n) >= limit) {
        await this.audit.record({
          actor: null,
          action: 'login',
          subject: key,
          outcome: 'denied',
          detail: { reason: 'rate limited' },
        });
        throw new CrmError(
          ErrorCode.RateLimited,
          `too many failed logins; try again in ${Math.ceil(this.config.loginWindow / 60)} minute(s)`,
          [{ path: key.startsWith('user:') ? '/login' : 'address', message: 'rate limited' }],
          { retryAfter: this.config.loginWindow },
        );
      }
    }
  }

  async login(body: unknown, address: string): Promise<TokenPair> {
    const b = (body ?? {}) as { login?: unknown; password?: unknown };
    if (typeof b.login !== 'string' || typeof b.password !== 'string' || b.login.length > 64)
      throw new CrmError(ErrorCode.BadRequest, 'login and password are required', [
        { path: '/login', message: 'login and password are required strings' },
      ]);
    const keys = [`user:${b.login.toLowerCase()}`, `addr:${address}`];
    await this.assertNotLimited(keys);
    const found = await this.identity.passwordHashOf(b.login);
    const ok =
      !!found &&
      found.user.active &&
      !!found.hash &&
      (await verifyPassword(b.password, found.hash));
    if (!ok) {
      const now = this.clock.now();
      const at = toDbTimestamp(now);
      for (const key of keys)
        await this.db.execute('INSERT INTO crm_login_attempt (attempt_key, at) VALUES (?, ?)', [
          key,
          at,
        ]);
      // attempts older than the window count for nothing: pruned, so a password-guessing run
      // (one row per guess, per login and per address) cannot grow the table without end
      await this.db.execute('DELETE FROM crm_login_attempt WHERE at < ?', [
        toDbTimestamp(new Date(now.getTime() - this.config.loginWindow * 1000)),
      ]);
      await this.audit.record({
        actor: b.login,
        action: 'login',
        subject: `user/${b.login}`,
        outcome: 'failed',
        detail: { address },
      });
      // one message for unknown login, wrong password and inactive user: logins cannot be probed
      throw unauthenticated('login or password is wrong');
    }
    await this.db.execute('DELETE FROM crm_login_attempt WHERE attempt_key = ?', [keys[0]]);
    // a hash made with weaker parameters than today's is replaced while the password is at hand
    if (needsRehash(found.hash!))
      await this.identity.setPasswordHash(found.user.id, await hashPassword(b.password));
    await this.audit.record({
      actor: found.user.login,
      action: 'login',
      subject: `user/${found.user.login}`,
      outcome: 'ok',
      detail: { address },
    });
    return this.db.transaction((tx) => this.issue(tx, found.user, found.sessionEpoch));
  }

  /**
   * A new session for the user, in the caller's transaction, under the user's row lock. With
   * `expectedEpoch` (a login: the epoch read with the password it checked), a session end that
   * slipped in since refuses it, so an old password cannot outrun its own change.
   */
  private async issue(
    tx: Db,
    user: User,
    expectedEpoch?: number,
    sessionId: string = randomUUID(),
  ): Promise<TokenPair> {
    const locked = await this.identity.lockUser(tx, user.id);
    if (!locked || !locked.active) throw unauthenticated('user is not active');
    if (expectedEpoch !== undefined && locked.sessionEpoch !== expectedEpoch)
      throw unauthenticated('the sessions of this user were just ended; log in again');
    const epoch = locked.sessionEpoch;
    const now = this.nowSeconds();
    const accessToken = signJwt(
      {
        sub: user.login,
        uid: user.id,
        iat: now,
        sep: epoch,
        sid: sessionId,
        exp: now + this.config.accessTokenTtl,
        jti: randomUUID(),
      },
      this.secret!,
    );
    const refreshToken = randomBytes(32).toString('base64url');
    await tx.execute(
      'INSERT INTO crm_refresh_token (user_id, token_hash, created_at, expires_at, session_id) VALUES (?, ?, ?, ?, ?)',
      [
        user.id,
        sha256(refreshToken),
        toDbTimestamp(this.clock.now()),
        toDbTimestamp(new Date(this.clock.now().getTime() + this.config.refreshTokenTtl * 1000)),
        sessionId,
      ],
    );
    return {
      accessToken,
      tokenType: 'Bearer',
      expiresIn: this.config.accessTokenTtl,
      refreshToken,
    };
  }

  /**
   * Exchanges a refresh token for a new pair; the old one is revoked (rotation). Presenting a
   * revoked token again means it was stolen or replayed: every session of that user ends.
   */
  async refresh(body: unknown): Promise<TokenPair> {
    const token = (body as { refreshToken?: unknown })?.refreshToken;
    if (typeof token !== 'string' || !token)
      throw new CrmError(ErrorCode.BadRequest, 'refreshToken is required', [
        { path: '/refreshToken', message: 'is required' },
      ]);
    const hash = sha256(token);
    const tokenRow = async (tx: Db) =>
      (
        await tx.query<{
          id: number;
          user_id: number;
          expires_at: string;
          revoked_at: string | null;
          session_id: string | null;
        }>(
          'SELECT id, user_id, expires_at, revoked_at, session_id FROM crm_refresh_token WHERE token_hash = ?',
          [hash],
        )
      )[0];
    // decided under the user's row lock, like ending every session: the two never interleave
    const outcome = await this.db.transaction(
      async (tx): Promise<{ pair: TokenPair } | { replayedBy: number } | { refused: string }> => {
        const first = await tokenRow(tx);
        if (!first) return { refused: 'refresh token is not valid' };
        const user = await this.identity.findUser('id', Number(first.user_id), tx);
        if (!user) return { refused: 'refresh token is not valid' };
        await this.identity.lockUser(tx, user.id);
        const row = (await tokenRow(tx))!;
        if (row.revoked_at) return { replayedBy: user.id };
        const now = this.clock.now();
        if (new Date(fromDbTimestamp(row.expires_at)!).getTime() <= now.getTime())
          return { refused: 'refresh token expired' };
        await tx.execute('UPDATE crm_refresh_token SET revoked_at = ? WHERE id = ?', [
          toDbTimestamp(now),
          row.id,
        ]);
        if (!user.active) return { refused: 'user is not active' };
        return { pair: await this.issue(tx, user, undefined, row.session_id ?? undefined) };
      },
    );
    if ('pair' in outcome) return outcome.pair;
    if ('refused' in outcome) throw unauthenticated(outcome.refused);
    // a revoked token presented again was stolen or replayed: every session of that user ends,
    // the thief's access token with them
    await this.identity.endSessions(outcome.replayedBy);
    await this.audit.record({
      actor: null,
      action: 'token.refresh',
      subject: `user/${outcome.replayedBy}`,
      outcome: 'denied',
      detail: { reason: 'revoked refresh token reused; all sessions revoked' },
    });
    throw unauthenticated('refresh token was revoked');
  }

  /** How long an ended session must be remembered: as long as its access tokens live. */
  private sessionEndKeepMs(): number {
    return (this.config.accessTokenTtl + 60) * 1000;
  }

  async logout(body: unknown, principal: Principal): Promise<void> {
    const token = (body as { refreshToken?: unknown })?.refreshToken;
    const now = toDbTimestamp(this.clock.now());
    if (typeof token === 'string' && token) {
      const [row] = await this.db.query<{ session_id: string | null }>(
        'SELECT session_id FROM crm_refresh_token WHERE token_hash = ? AND user_id = ?',
        [sha256(token), principal.user.id],
      );
      await this.db.execute(
        'UPDATE crm_refresh_token SET revoked_at = ? WHERE token_hash = ? AND user_id = ? AND revoked_at IS NULL',
        [now, sha256(token), principal.user.id],
      );
      // the session's access tokens go with it, not at their expiry
      if (row?.session_id) await this.identity.endSession(row.session_id, this.sessionEndKeepMs());
    } else await this.identity.endSessions(principal.user.id);
    await this.audit.record({
      actor: principal.user.login,
      action: 'logout',
      subject: `user/${principal.user.login}`,
      outcome: 'ok',
    });
  }

  async changePassword(body: unknown, principal: Principal): Promise<void> {
    const b = (body ?? {}) as { currentPassword?: unknown; newPassword?: unknown };
    if (typeof b.currentPassword !== 'string' || typeof b.newPassword !== 'string')
      throw new CrmError(ErrorCode.BadRequest, 'currentPassword and newPassword are required', [
        { path: '/newPassword', message: 'currentPassword and newPassword are required strings' },
      ]);
    await this.assertNotLimited([`user:${principal.user.login.toLowerCase()}`]);
    const found = await this.identity.passwordHashOf(principal.user.login);
    if (!found?.hash || !(await verifyPassword(b.currentPassword, found.hash))) {
      await this.db.execute('INSERT INTO crm_login_attempt (attempt_key, at) VALUES (?, ?)', [
        `user:${principal.user.login.toLowerCase()}`,
        toDbTimestamp(this.clock.now()),
      ]);
      throw new CrmError(ErrorCode.Forbidden, 'current password is wrong', [
        { path: '/currentPassword', message: 'is wrong' },
      ]);
    }
    const problems = passwordProblems(b.newPassword);
    if (problems.length)
      throw new CrmError(
        ErrorCode.RecordInvalid,
        'the new password is too weak',
        problems.map((m) => ({ path: '/newPassword', message: m })),
      );
    await this.identity.setPasswordHash(principal.user.id, await hashPassword(b.newPassword));
    await this.identity.endSessions(principal.user.id);
    await this.audit.record({
      actor: principal.user.login,
      action: 'password.change',
      subject: `user/${principal.user.login}`,
      outcome: 'ok',
    });
  }

  // ---- authentication of a request -------------------------------------------------------------

  async authenticate(authorization: string | undefined): Promise<Principal> {
    const m = /^Bearer ([A-Za-z0-9._~+/=-]{1,4096})$/.exec(authorization ?? '');
    if (!m) throw unauthenticated('authentication required: send Authorization: Bearer <token>');
    const token = m[1];
    let user: User | null;
    let via: Principal['via'];
    if (token.startsWith(API_TOKEN_PREFIX)) {
      const [row] = await this.db.query<{ user_id: number }>(
        'SELECT user_id FROM crm_api_token WHERE token_hash = ? AND revoked_at IS NULL',
        [sha256(token)],
      );
      if (!row) throw unauthenticated('API token is not valid or was revoked');
      user = await this.identity.findUser('id', Number(row.user_id));
      via = 'api-token';
    } else {
      let claims;
      try {
        claims = verifyJwt(token, this.secret!, this.nowSeconds());
      } catch (e) {
        if (e instanceof JwtError) throw unauthenticated(`access token refused: ${e.message}`);
        throw e;
      }
      const found = await this.identity.findAuthUser(claims.uid);
      user = found && found.user.login === claims.sub ? found.user : null;
      if (found && (claims.sep ?? 0) !== found.sessionEpoch)
        throw unauthenticated('access token ended by a logout or a password change');
      if (claims.sid && (await this.identity.isSessionEnded(claims.sid, this.sessionEndKeepMs())))
        throw unauthenticated('access token ended by a logout');
      via = 'jwt';
    }
    if (!user || !user.active) throw unauthenticated('user is not active');
    const u = user;
    return new Principal(
      u,
      this.meta.model,
      (needs) => this.identity.contextOf(u, needs),
      this.audit,
      via,
    );
  }

  // ---- API tokens -------------------------------------------------------------------------------

  async createApiToken(
    userId: number,
    body: unknown,
    actor: string,
  ): Promise<{ id: number; name: string; token: string }> {
    const name = (body as { name?: unknown })?.name;
    if (typeof name !== 'string' || !name.trim() || name.length > 200)
      throw new CrmError(ErrorCode.BadRequest, 'name is required', [
        { path: '/name', message: 'is required: 1-200 characters' },
      ]);
    const user = await this.identity.getUser(userId);
    const token = API_TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const { insertId } = await this.db.execute(
      'INSERT INTO crm_api_token (user_id, name, token_hash, created_at) VALUES (?, ?, ?, ?)',
      [userId, name, sha256(token), toDbTimestamp(this.clock.now())],
    );
    await this.audit.record({
      actor,
      action: 'api-token.create',
      subject: `user/${user.login}`,
      outcome: 'ok',
      detail: { id: insertId, name },
    });
    return { id: insertId, name, token };
  }

  async listApiTokens(userId: number): Promise<Array<Record<string, unknown>>> {
    const rows = await this.db.query<Record<string, unknown>>(
      'SELECT id, name, created_at, revoked_at FROM crm_api_token WHERE user_id = ? ORDER BY id',
      [userId],
    );
    return rows.map((r) => ({
      id: Number(r.id),
      name: r.name,
      createdAt: fromDbTimestamp(r.created_at),
      revokedAt: fromDbTimestamp(r.revoked_at),
    }));
  }

  async revokeApiToken(userId: number, tokenId: number, actor: string): Promise<void> {
    const r = await this.db.execute(
      'UPDATE crm_api_token SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL',
      [toDbTimestamp(this.clock.now()), tokenId, userId],
    );
    if (r.affected === 0)
      throw new CrmError(ErrorCode.RecordNotFound, `no active API token ${tokenId}`, [
        { path: 'tokenId', message: 'not found' },
      ]);
    await this.audit.record({
      actor,
      action: 'api-token.revoke',
      subject: `user/${userId}`,
      outcome: 'ok',
      detail: { id: tokenId },
    });
  }
}
