import 'reflect-metadata';
import { isCrmError, loadConfig } from '@crm/common';
import { createServer } from './bootstrap';
import { PinoLogger } from './http/pino-logger';

async function main(): Promise<void> {
  let logger: PinoLogger | undefined;
  try {
    const config = loadConfig();
    logger = new PinoLogger(config.logLevel);
    const app = await createServer(config, { logger });
    app.enableShutdownHooks();
    await app.listen(config.port);
    const url = await app.getUrl();
    const db = config.databaseUrl.startsWith('sqlite:')
      ? config.databaseUrl
      : config.databaseUrl.replace(/\/\/([^:@/]+):[^@]*@/, '//$1:***@');
    logger.log(
      `CRM serving on ${url.replace('[::1]', 'localhost').replace('127.0.0.1', 'localhost')} (database ${db}, API docs at /api/docs)`,
      'main',
    );
  } catch (e) {
    if (isCrmError(e)) {
      // Bad configuration or metadata: say exactly what and where, then refuse to start.
      const lines = [
        `${e.code}: ${e.message}`,
        ...e.errors.map(
          (d) => `  ${[d.file, d.document, d.path].filter(Boolean).join(' ')}: ${d.message}`,
        ),
      ];
      process.stderr.write(`${lines.join('\n')}\n`);
    } else {
      process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    }
    process.exit(1);
  }
}

void main();
