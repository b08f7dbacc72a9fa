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
import {
  APP_CONFIG,
  type AppConfig,
  CLOCK,
  type Clock,
  DB,
  type Db,
  systemClock,
  toDbTimestamp,
} from '@crm/common';
import { DEADLINE_JOB, fireDeadline } from './deadlines';
import { EngineService, type JobRow } from './engine.service';

/**
 * Every server node runs one executor: it acquires due timers and built-in async jobs in small
 * batches (FOR UPDATE SKIP LOCKED on MySQL, so nodes never take the same job) and runs each in
 * its own step transaction. A node that dies holding jobs loses them when their lock expires.
 * Nothing lives only in memory: the job table is the source of truth.
 *
 * A batch is run JOB_CONCURRENCY jobs at a time, and each job is claimed again just before it
 * runs (its lock renewed only if this node still holds it, unexpired) and kept renewed while it
 * runs. A batch whose early jobs are slow (webhooks) therefore never runs a later job whose lock
 * ran out meanwhile and that another node has taken: before, the ownership check came only when
 * finishing, after the webhook had already been called a second time.
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
    @Optional() @Inject(DB) private readonly db: Db | null = null,
    @Optional() @Inject(CLOCK) private readonly clock: Clock = systemClock,
  ) {
    if (config) engine.backoffMs = config.jobBackoffMs;
  }

  private get lockMs(): number {
    return this.config?.jobLockMs ?? 60_000;
  }

  /**
   * Extends this node's lock on a job, only while it still holds it and the lock has not run out
   * (then another node may have taken it, or may be about to). False: leave the job alone.
   */
  async renewLock(jobId: number): Promise<boolean> {
    if (!this.db) return true;
    const now = this.clock.now();
    const r = await this.db.execute(
      'UPDATE crm_wf_job SET lock_expires_at = ? WHERE id = ? AND lock_owner = ? AND lock_expires_at >= ?',
      [toDbTimestamp(new Date(now.getTime() + this.lockMs)), jobId, this.owner, toDbTimestamp(now)],
    );
    return r.affected === 1;
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

  /** One round: acquires a batch of due jobs and runs them; returns how many it acquired. */
  async runDue(max = 20): Promise<number> {
    if (this.stopped) return 0;
    const jobs = await this.engine.acquire(
      this.owner,
      ['timer', 'service', DEADLINE_JOB],
      max,
      this.lockMs,
    );
    let next = 0;
    const worker = async () => {
      while (next < jobs.length && !this.stopped) await this.runOne(jobs[next++]);
    };
    const width = Math.max(1, Math.min(this.config?.jobConcurrency ?? 4, jobs.length));
    await Promise.all(Array.from({ length: width }, worker));
    return jobs.length;
  }

  private async runOne(job: JobRow): Promise<void> {
    const id = Number(job.id);
    // claimed again right before it runs: a job that waited in the batch past its lock may be
    // another node's by now
    if (!(await this.renewLock(id))) {
      this.log.warn(`job ${id} (${job.kind} ${job.element_id}): lock lost before it ran; skipped`);
      return;
    }
    // kept renewed while it runs (a slow webhook must not look abandoned)
    const beat = setInterval(
      () => {
        this.renewLock(id).catch(() => false);
      },
      Math.max(50, Math.min(this.lockMs / 3, 2000)),
    );
    beat.unref();
    try {
      if (job.kind === 'timer') await this.engine.fireTimer(id, this.owner);
      // task reminders, escalations and auto-decisions (deadlines.ts)
      else if (job.kind === DEADLINE_JOB) await fireDeadline(this.engine, id, this.owner);
      else await this.engine.runServiceJob(job, this.owner);
      this.executed++;
    } catch (e) {
      // the job keeps its lock until it expires, then another round (or node) takes it again
      this.log.error(`job ${id} (${job.kind} ${job.element_id}): ${(e as Error).message}`);
    } finally {
      clearInterval(beat);
    }
  }
}
