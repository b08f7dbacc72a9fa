import { randomUUID } from 'node:crypto';
import * as os from 'node:os';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
  Optional,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@crm/common';
import { EngineService } from './engine.service';

/**
 * Every server node runs one executor: it acquires due timers and built-in async jobs in small
 * batches (FOR UPDATE SKIP LOCKED on MySQL, so nodes never take the same job) and runs each in
 * its own step transaction. A node that dies holding jobs loses them when their lock expires.
 * Nothing lives only in memory: the job table is the source of truth.
 */
@Injectable()
export class JobExecutorService implements OnApplicationBootstrap, OnModuleDestroy {
  readonly owner = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly log = new Logger('jobs');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private stopped = false;
  /** Jobs this node has run (the multi-node test reads it through /api/health). */
  executed = 0;

  constructor(
    private readonly engine: EngineService,
    @Optional() @Inject(APP_CONFIG) private readonly config: AppConfig | null,
  ) {
    if (config) engine.backoffMs = config.jobBackoffMs;
  }

  onApplicationBootstrap(): void {
    if (this.config && this.config.jobPollMs > 0) this.schedule(0);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => 0);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runDue();
      this.running
        .then((n) => this.schedule(n > 0 ? 0 : this.config!.jobPollMs))
        .catch((e: unknown) => {
          this.log.error(`job executor: ${(e as Error).stack ?? String(e)}`);
          this.schedule(this.config!.jobPollMs);
        });
    }, ms);
  }

  /** One round: acquires a batch of due jobs and runs them; returns how many ran. */
  async runDue(max = 20): Promise<number> {
    if (this.stopped) return 0;
    const jobs = await this.engine.acquire(
      this.owner,
      ['timer', 'service'],
      max,
      this.config?.jobLockMs ?? 60_000,
    );
    for (const job of jobs) {
      if (this.stopped) break;
      try {
        if (job.kind === 'timer') await this.engine.fireTimer(Number(job.id), this.owner);
        else await this.engine.runServiceJob(job, this.owner);
        this.executed++;
      } catch (e) {
        // the job keeps its lock until it expires, then another round (or node) takes it again
        this.log.error(`job ${job.id} (${job.kind} ${job.element_id}): ${(e as Error).message}`);
      }
    }
    return jobs.length;
  }
}
