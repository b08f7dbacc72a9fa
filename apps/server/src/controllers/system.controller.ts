import * as path from 'node:path';
import { Controller, Get, Header, Inject, Req } from '@nestjs/common';
import type { Request } from 'express';
import { AuthService } from '@crm/access';
import { DB, type Db } from '@crm/common';
import { MetaService } from '@crm/metadata';
import { JobExecutorService } from '@crm/workflow';
import { buildOpenApi } from '../openapi/build-openapi';
import { Public } from '../http/auth.guard';

@Controller('api')
export class SystemController {
  constructor(
    @Inject(DB) private readonly db: Db,
    private readonly meta: MetaService,
    private readonly jobs: JobExecutorService,
    private readonly auth: AuthService,
  ) {}

  @Public()
  @Get('health')
  async health(@Req() req: Request) {
    await this.db.query('SELECT 1 AS ok');
    // the host name and pid (in the node name) help an operator, and an attacker: admins only
    const header = req.header('authorization');
    const caller = header ? await this.auth.authenticate(header).catch(() => null) : null;
    const admin = caller?.ability.can('manage', 'all') ?? false;
    const apply = this.meta.applyStatus();
    return {
      // a half-done metadata apply leaves entities refused (503) until an admin finishes it
      status: apply.unfinished.length ? 'degraded' : 'ok',
      metadata: {
        unfinishedApplies: apply.unfinished.map((a) => ({
          id: a.id,
          state: a.state,
          entities: a.entities,
          done: a.done,
          total: a.total,
        })),
        unavailableEntities: apply.unavailable,
      },
      database: this.db.dialect,
      metadataRevision: this.meta.model.revision,
      entities: this.meta.model.entities.size,
      // how many jobs this node ran (and, for admins, which node it is): work spreading over nodes
      jobs: { executed: this.jobs.executed, ...(admin ? { node: this.jobs.owner } : {}) },
    };
  }

  @Public()
  @Get('docs-json')
  docsJson() {
    return buildOpenApi(this.meta.model, '0.1.0');
  }

  @Public()
  @Get('docs')
  @Header('content-type', 'text/html; charset=utf-8')
  docs() {
    return `<!doctype html><html><head><meta charset="utf-8"><title>CRM API</title>
<link rel="stylesheet" href="/api/docs-assets/swagger-ui.css"></head><body><div id="ui"></div>
<script src="/api/docs-assets/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({ url: '/api/docs-json', dom_id: '#ui' });</script></body></html>`;
  }
}

export const swaggerAssetsDir = (): string =>
  path.dirname(require.resolve('swagger-ui-dist/package.json'));
