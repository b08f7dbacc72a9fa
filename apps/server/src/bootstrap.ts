import { type INestApplication, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import express from 'express';
import { type AppConfig, type Clock, systemClock } from '@crm/common';
import { AuthService, IdentityService } from '@crm/access';
import { MetaService } from '@crm/metadata';
import { DeploymentsService, EngineService } from '@crm/workflow';
import { AppModule } from './app.module';
import { seedDemoData } from './demo-data';
import { swaggerAssetsDir } from './controllers/system.controller';
import { ErrorFilter } from './http/error.filter';
import { parseQueryString, refuseRepeatedParams } from './http/query-string';
import { refuseDeepJson } from './http/json-depth';
import { requestLog } from './http/request-log';
import { exceptUploads } from './http/uploads';
import { webApp } from './http/web-app';

export interface ServerOptions {
  clock?: Clock;
  logger?: LoggerService | false;
}

/**
 * Builds the whole server: database, engine tables, metadata from metadata/ applied when it
 * changed, HTTP API. Used by main.ts and by the e2e tests (which listen on a random port).
 */
export async function createServer(
  config: AppConfig,
  opts: ServerOptions = {},
): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot(config, opts.clock ?? systemClock),
    {
      logger: opts.logger ?? false,
      bodyParser: false,
      abortOnError: false,
    },
  );
  app.set('query parser', parseQueryString);
  // behind a load balancer req.ip must be the client's, or every login shares one rate limit
  app.set('trust proxy', config.trustProxy);
  app.use(requestLog);
  app.use(refuseRepeatedParams);
  try {
    // Bodies of upload routes (imports, deployments, files) are read by their handlers after
    // authentication and the permission check, never here (see http/uploads.ts).
    app.use(exceptUploads(express.json({ limit: '10mb' })), refuseDeepJson);
    app.useGlobalFilters(new ErrorFilter());
    app.use('/api/docs-assets', express.static(swaggerAssetsDir(), { index: false }));
    app.use(webApp());
    const meta = app.get(MetaService);
    await meta.init();
    // before anything runs a workflow step: tokens of a database from before they moved into
    // their instance rows (engine/tokens.ts)
    await app.get(EngineService).migrateLegacyTokens();
    await meta.syncFromFiles();
    // no user yet: the first start, which may bring the demo organisation and data (demo-data.ts)
    const firstStart = config.demoData && (await app.get(IdentityService).countUsers()) === 0;
    await app.get(AuthService).init();
    await app.get(DeploymentsService).deployDir(config.workflowsDir);
    await app.get(EngineService).backfillTaskCandidates();
    if (firstStart) await seedDemoData(app, config);
    meta.startPolling();
  } catch (e) {
    // Refusing to start (bad metadata...) must not leave the database pool open behind it.
    await app.close();
    throw e;
  }
  return app;
}
