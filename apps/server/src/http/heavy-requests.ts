import {
  type CallHandler,
  type ExecutionContext,
  Inject,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { type Observable, finalize } from 'rxjs';
import { APP_CONFIG, type AppConfig, CrmError, ErrorCode } from '@crm/common';

/**
 * How many heavy requests (lists, counts, exports: reads a user shapes) each user runs on this
 * node. Ten parallel slow lists from one rep made everyone else wait seconds; past
 * HEAVY_REQUESTS_PER_USER a user's next one is refused (429) instead of queued behind theirs.
 * Per node on purpose: what it protects is this node's connection pool and event loop.
 */
@Injectable()
export class HeavyRequests {
  private readonly running = new Map<string, number>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Takes a slot for `who`, or throws 429; call the returned function once when done. */
  acquire(who: string): () => void {
    const n = this.running.get(who) ?? 0;
    const cap = this.config.heavyRequestsPerUser;
    if (n >= cap)
      throw new CrmError(
        ErrorCode.TooManyRequests,
        `you already have ${n} list or export requests running; wait for one to finish`,
        [{ path: '', message: `at most ${cap} at once (HEAVY_REQUESTS_PER_USER)` }],
      );
    this.running.set(who, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.running.get(who) ?? 1) - 1;
      if (left > 0) this.running.set(who, left);
      else this.running.delete(who);
    };
  }

  count(who: string): number {
    return this.running.get(who) ?? 0;
  }
}

/** Marks a route as heavy: it holds one of the user's slots until its answer is complete. */
@Injectable()
export class HeavyRequest implements NestInterceptor {
  constructor(private readonly heavy: HeavyRequests) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = ctx.switchToHttp();
    const req = http.getRequest<Request>();
    const who = req.principal?.user.login ?? `ip:${req.ip}`;
    let release: () => void;
    try {
      release = this.heavy.acquire(who);
    } catch (e) {
      http.getResponse<Response>().setHeader('retry-after', '1');
      throw e;
    }
    return next.handle().pipe(finalize(release));
  }
}
