import * as path from 'node:path';
import { type BusinessDuration, parseBusinessDuration } from './business-duration';
import { CrmError, ErrorCode } from './errors';

/** Process configuration, read once from the environment and validated; bad values stop start-up. */
export interface AppConfig {
  port: number;
  /** `sqlite:<file>` (default, under dataDir) or `mysql://user:pass@host:port/db`. */
  databaseUrl: string;
  dataDir: string;
  metadataDir: string;
  /** BPMN diagrams deployed at start-up. */
  workflowsDir: string;
  /** Per-client overlay under metadata/clients/<client>/. */
  client: string | null;
  /** Who metadata applied at start-up is recorded as. */
  logLevel: string;
  /** Largest accepted upload, bytes. */
  maxFileBytes: number;
  /** How often each node's job executor looks for due timers and async jobs, ms (0 = off). */
  jobPollMs: number;
  /** How long an acquired job stays locked to its node before another node may take it, ms. */
  jobLockMs: number;
  /** Jobs one node runs at once out of an acquired batch. */
  jobConcurrency: number;
  /** First retry delay of a failing job; doubles per attempt, ms. */
  jobBackoffMs: number;
  /** Shortest gap between two firings of a timer cycle a deploy accepts, ms. */
  timerMinCycleMs: number;
  /** Largest process variables document, bytes. */
  workflowMaxVariablesBytes: number;
  /**
   * CRM_TIMEZONE: the company's zone. Business dates (auto-number date parts, FEEL today(), export
   * file dates) and cron timer cycles ("every working day at 9:00") are read in it.
   */
  timeZone: string;
  /**
   * TASK_DEFAULT_DEADLINE: when a user task without a `deadline` header is due, on the default
   * calendar (plain hours and 24-hour days without one). Default `3 workingDays`.
   */
  taskDefaultDeadline: BusinessDuration;
  /** TASK_DUE_SOON_HOURS: an open task due within this many hours is "due soon". Default 24. */
  taskDueSoonHours: number;
  /** MySQL connections per node. */
  dbPoolSize: number;
  /** How often a node checks for metadata applied by another node, ms (0 = never). */
  metaPollMs: number;
  /** Password of the first `admin` user (else a random one is logged once). */
  adminPassword: string | null;
  /** HS256 secret of access tokens (else generated once and kept in the database). */
  jwtSecret: string | null;
  /** Lifetime of an access token, seconds. */
  accessTokenTtl: number;
  /** Lifetime of a refresh token, seconds. */
  refreshTokenTtl: number;
  /** Failed logins allowed per user and per address within loginWindow seconds. */
  loginMaxAttempts: number;
  loginWindow: number;
  /** Most data rows one record import may carry (all are written in one transaction). */
  importMaxRows: number;
  /** Longest a user's list, count or export page may run before it is stopped (503), ms. */
  queryTimeoutMs: number;
  /** Lists, counts and exports one user may run at once on one node (more: 429). */
  heavyRequestsPerUser: number;
  /**
   * Express's `trust proxy`: which proxies' X-Forwarded-For to believe, so rate limits and the
   * audit see client addresses behind a load balancer. false: the socket's address.
   */
  trustProxy: boolean | number | string;
  /** FILE_STORAGE=s3: uploaded files go to this S3-compatible bucket instead of DATA_DIR/files. */
  s3: {
    bucket: string;
    prefix: string;
    endpoint: string | null;
    region: string;
    accessKeyId: string | null;
    secretAccessKey: string | null;
    forcePathStyle: boolean;
  } | null;
  /** Email notifications: SMTP_URL set turns them on; null = email off (in-app only). */
  mail: MailConfig | null;
  /** Where users open the web app (PUBLIC_URL, no trailing slash): links in emails. */
  publicUrl: string | null;
  /**
   * DEMO_DATA (default true): the first start on an empty database also creates the demo
   * organisation, its users and a demo data set (demoDir). false: only `admin`.
   */
  demoData: boolean;
  /** DEMO_PASSWORD: every demo user's password (else each gets a random one, printed once). */
  demoPassword: string | null;
  /** DEMO_DIR: demo/organisation.yaml and demo/dataset.yaml. */
  demoDir: string;
}

export interface MailConfig {
  /** `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://...:465` (TLS). */
  smtpUrl: string;
  /** Sender, `crm@example.com` or `CRM <crm@example.com>` (MAIL_FROM). */
  from: string;
  /** How often each node looks for mail to send, ms (0 = only when asked: tests). */
  pollMs: number;
  /** Sends tried before a message is marked failed (an admin can retry it). */
  maxAttempts: number;
  /** Wait before the first retry; doubles per attempt, ms. */
  backoffMs: number;
}

export const APP_CONFIG = Symbol('APP_CONFIG');

function int(env: NodeJS.ProcessEnv, name: string, def: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) {
    throw new CrmError(
      ErrorCode.ConfigInvalid,
      `${name} must be an integer >= ${min}, got "${raw}"`,
      [{ path: name, message: 'not an integer in range' }],
    );
  }
  return n;
}

function timeZone(tz: string): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return tz;
  } catch {
    throw new CrmError(ErrorCode.ConfigInvalid, `CRM_TIMEZONE "${tz}" is not an IANA time zone`, [
      { path: 'CRM_TIMEZONE', message: 'e.g. Asia/Shanghai or UTC' },
    ]);
  }
}

function businessDuration(env: NodeJS.ProcessEnv, name: string, def: string): BusinessDuration {
  const d = parseBusinessDuration(env[name] || def);
  if ('message' in d)
    throw new CrmError(ErrorCode.ConfigInvalid, `${name}: ${d.message}`, [
      { path: name, message: 'e.g. 3 workingDays, 8 workingHours or 48 hours' },
    ]);
  return d;
}

function jwtSecret(env: NodeJS.ProcessEnv): string | null {
  const s = env.JWT_SECRET;
  if (!s) return null;
  // HS256 is only as strong as its key: a short secret can be brute-forced offline from one token.
  if (Buffer.byteLength(s) < 32) {
    throw new CrmError(ErrorCode.ConfigInvalid, 'JWT_SECRET must be at least 32 bytes', [
      { path: 'JWT_SECRET', message: 'too short' },
    ]);
  }
  return s;
}

function trustProxy(raw: string | undefined): boolean | number | string {
  const v = raw?.trim();
  if (!v || v === 'false') return false;
  if (v === 'true') return true;
  if (/^\d+$/.test(v)) return Number(v);
  // addresses, subnets or express's names (loopback, linklocal, uniquelocal), comma-separated
  if (/^[\w.:/, -]+$/.test(v)) return v;
  throw new CrmError(ErrorCode.ConfigInvalid, `TRUST_PROXY "${v}" is not understood`, [
    { path: 'TRUST_PROXY', message: 'true, a hop count, or addresses/subnets (e.g. 10.0.0.0/8)' },
  ]);
}

function s3(env: NodeJS.ProcessEnv): AppConfig['s3'] {
  const kind = env.FILE_STORAGE || 'local';
  if (kind === 'local') return null;
  if (kind !== 's3')
    throw new CrmError(ErrorCode.ConfigInvalid, `FILE_STORAGE must be local or s3, got "${kind}"`, [
      { path: 'FILE_STORAGE', message: 'local or s3' },
    ]);
  if (!env.S3_BUCKET)
    throw new CrmError(ErrorCode.ConfigInvalid, 'FILE_STORAGE=s3 needs S3_BUCKET', [
      { path: 'S3_BUCKET', message: 'missing' },
    ]);
  const endpoint = env.S3_ENDPOINT || null;
  return {
    bucket: env.S3_BUCKET,
    prefix: env.S3_PREFIX ?? 'files/',
    endpoint,
    region: env.S3_REGION || 'us-east-1',
    accessKeyId: env.S3_ACCESS_KEY_ID || null,
    secretAccessKey: env.S3_SECRET_ACCESS_KEY || null,
    // MinIO and most self-hosted services want /bucket/key; AWS and OSS/COS virtual hosts
    forcePathStyle: env.S3_FORCE_PATH_STYLE ? env.S3_FORCE_PATH_STYLE === 'true' : !!endpoint,
  };
}

/** SMTP_URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@]*@/, '//$1:***@');
}

const ADDRESS = /^(?:[^<>\r\n]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/;

function mail(env: NodeJS.ProcessEnv): MailConfig | null {
  const raw = env.SMTP_URL?.trim();
  if (!raw) return null;
  let u: URL | null = null;
  try {
    u = new URL(raw);
  } catch {
    /* reported below */
  }
  if (!u || (u.protocol !== 'smtp:' && u.protocol !== 'smtps:') || !u.hostname)
    // not echoed: it may hold a password in a form redactUrl does not recognise
    throw new CrmError(ErrorCode.ConfigInvalid, 'SMTP_URL is not an smtp:// or smtps:// URL', [
      { path: 'SMTP_URL', message: 'smtp://user:pass@host:587 or smtps://user:pass@host:465' },
    ]);
  const user = decodeURIComponent(u.username);
  // the SMTP login is often the mailbox itself: then it is the sender unless MAIL_FROM says else
  const from = env.MAIL_FROM?.trim() || (user.includes('@') ? user : '');
  if (!from)
    throw new CrmError(ErrorCode.ConfigInvalid, 'SMTP_URL is set but MAIL_FROM is not', [
      { path: 'MAIL_FROM', message: 'the sender, e.g. CRM <crm@example.com>' },
    ]);
  if (!ADDRESS.test(from))
    throw new CrmError(ErrorCode.ConfigInvalid, `MAIL_FROM "${from}" is not an address`, [
      { path: 'MAIL_FROM', message: 'crm@example.com or CRM <crm@example.com>' },
    ]);
  return {
    smtpUrl: raw,
    from,
    pollMs: int(env, 'MAIL_POLL_MS', 2000, 0),
    maxAttempts: int(env, 'MAIL_MAX_ATTEMPTS', 5, 1),
    backoffMs: int(env, 'MAIL_BACKOFF_MS', 60_000, 0),
  };
}

function publicUrl(raw: string | undefined): string | null {
  const v = raw?.trim();
  if (!v) return null;
  if (!/^https?:\/\/[^\s/]+/.test(v))
    throw new CrmError(ErrorCode.ConfigInvalid, `PUBLIC_URL "${v}" is not an http(s) address`, [
      { path: 'PUBLIC_URL', message: 'e.g. https://crm.example.com' },
    ]);
  return v.replace(/\/+$/, '');
}

function bool(env: NodeJS.ProcessEnv, name: string, def: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return def;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new CrmError(ErrorCode.ConfigInvalid, `${name} must be true or false, got "${raw}"`, [
    { path: name, message: 'true or false' },
  ]);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): AppConfig {
  const dataDir = path.resolve(cwd, env.DATA_DIR || 'data');
  const databaseUrl = env.DATABASE_URL || `sqlite:${path.join(dataDir, 'crm.sqlite')}`;
  if (!/^(sqlite:|mysql:\/\/|mariadb:\/\/)/.test(databaseUrl)) {
    throw new CrmError(
      ErrorCode.ConfigInvalid,
      `DATABASE_URL must start with sqlite: or mysql://, got "${databaseUrl}"`,
      [{ path: 'DATABASE_URL', message: 'unsupported scheme' }],
    );
  }
  const client = env.CRM_CLIENT?.trim() || null;
  if (client && !/^[a-z0-9][a-z0-9_-]*$/i.test(client)) {
    throw new CrmError(
      ErrorCode.ConfigInvalid,
      `CRM_CLIENT "${client}" is not a valid client name`,
      [{ path: 'CRM_CLIENT', message: 'letters, digits, - and _ only' }],
    );
  }
  return {
    port: int(env, 'PORT', 3000, 0),
    databaseUrl,
    dataDir,
    metadataDir: path.resolve(cwd, env.METADATA_DIR || 'metadata'),
    workflowsDir: path.resolve(cwd, env.WORKFLOWS_DIR || 'workflows'),
    client,
    logLevel: env.LOG_LEVEL || 'info',
    maxFileBytes: int(env, 'MAX_FILE_BYTES', 20 * 1024 * 1024, 1),
    metaPollMs: int(env, 'META_POLL_MS', 2000, 0),
    dbPoolSize: int(env, 'DB_POOL_SIZE', 10, 1),
    jobPollMs: int(env, 'JOB_POLL_MS', 500, 0),
    jobLockMs: int(env, 'JOB_LOCK_MS', 60_000, 100),
    jobBackoffMs: int(env, 'JOB_BACKOFF_MS', 1000, 0),
    jobConcurrency: int(env, 'JOB_CONCURRENCY', 4, 1),
    timerMinCycleMs: int(env, 'TIMER_MIN_CYCLE_MS', 60_000, 0),
    workflowMaxVariablesBytes: int(env, 'WORKFLOW_MAX_VARIABLES_BYTES', 256 * 1024, 1024),
    timeZone: timeZone(env.CRM_TIMEZONE || 'UTC'),
    taskDefaultDeadline: businessDuration(env, 'TASK_DEFAULT_DEADLINE', '3 workingDays'),
    taskDueSoonHours: int(env, 'TASK_DUE_SOON_HOURS', 24, 1),
    adminPassword: env.ADMIN_PASSWORD || null,
    jwtSecret: jwtSecret(env),
    accessTokenTtl: int(env, 'ACCESS_TOKEN_TTL', 900, 10),
    refreshTokenTtl: int(env, 'REFRESH_TOKEN_TTL', 14 * 24 * 3600, 60),
    loginMaxAttempts: int(env, 'LOGIN_MAX_ATTEMPTS', 5, 1),
    loginWindow: int(env, 'LOGIN_WINDOW', 900, 1),
    importMaxRows: int(env, 'IMPORT_MAX_ROWS', 10_000, 1),
    queryTimeoutMs: int(env, 'QUERY_TIMEOUT_MS', 10_000, 1),
    heavyRequestsPerUser: int(env, 'HEAVY_REQUESTS_PER_USER', 4, 1),
    trustProxy: trustProxy(env.TRUST_PROXY),
    s3: s3(env),
    mail: mail(env),
    publicUrl: publicUrl(env.PUBLIC_URL),
    demoData: bool(env, 'DEMO_DATA', true),
    demoPassword: env.DEMO_PASSWORD || null,
    demoDir: path.resolve(cwd, env.DEMO_DIR || 'demo'),
  };
}
