import * as path from 'node:path';
import { Controller, Get, Header, Inject } from '@nestjs/common';
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
  ) {}

  @Public()
  @Get('health')
  async health() {
    await this.db.query('SELECT 1 AS ok');
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
      // which node this is and how many jobs it ran: shows work spreading over nodes
      jobs: { node: this.jobs.owner, executed: this.jobs.executed },
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
