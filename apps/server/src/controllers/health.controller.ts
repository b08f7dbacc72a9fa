import {
  type BeforeApplicationShutdown,
  Controller,
  Get,
  Inject,
  Injectable,
  ServiceUnavailableException,
} from '@nestjs/common';
import { HealthCheckService, type HealthIndicatorResult } from '@nestjs/terminus';
import { CrmError, DB, type Db, ErrorCode } from '@crm/common';
import { MetaService } from '@crm/metadata';
import { Public } from '../http/auth.guard';

/** Set once the process starts shutting down: a load balancer stops sending requests first. */
@Injectable()
export class Lifecycle implements BeforeApplicationShutdown {
  shuttingDown = false;
  beforeApplicationShutdown(): void {
    this.shuttingDown = true;
  }
}

const up = (key: string, data: Record<string, unknown> = {}): HealthIndicatorResult => ({
  [key]: { status: 'up', ...data },
});
/** terminus (11+) counts a check as failed when its result says `down` (HealthCheckError is gone). */
const down = (key: string, message: string): HealthIndicatorResult => ({
  [key]: { status: 'down', message },
});

/**
 * Probes for orchestrators (@nestjs/terminus): `live` says the process answers (restart it when
 * it does not); `ready` says it should get traffic: the database answers, the metadata model is
 * loaded, and it is not shutting down. Both are public and reveal nothing about the host.
 */
@Controller('api/health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    @Inject(DB) private readonly db: Db,
    private readonly meta: MetaService,
    private readonly lifecycle: Lifecycle,
  ) {}

  @Public()
  @Get('live')
  live() {
    return { status: 'ok' };
  }

  @Public()
  @Get('ready')
  async ready() {
    try {
      return await this.health.check([
        async () => {
          try {
            await this.db.query('SELECT 1 AS ok');
            return up('database', { dialect: this.db.dialect });
          } catch (e) {
            return down('database', (e as Error).message);
          }
        },
        () =>
          this.meta.model.revision > 0 || this.meta.model.entities.size > 0
            ? up('metadata', { revision: this.meta.model.revision })
            : down('metadata', 'no metadata model loaded'),
        () => (this.lifecycle.shuttingDown ? down('lifecycle', 'shutting down') : up('lifecycle')),
      ]);
    } catch (e) {
      if (!(e instanceof ServiceUnavailableException)) throw e;
      const details = (e.getResponse() as { error?: Record<string, { message?: string }> }).error;
      throw new CrmError(
        ErrorCode.NotReady,
        'not ready for traffic',
        Object.entries(details ?? {}).map(([path, d]) => ({
          path,
          message: d.message ?? 'down',
        })),
      );
    }
  }
}
