import * as path from 'node:path';
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
  /** MySQL connections per node. */
  dbPoolSize: number;
  /** How often a node checks for metadata applied by another node, ms (0 = never). */
  metaPollMs: number;
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
  };
}
