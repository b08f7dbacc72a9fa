import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

/** The request a log line belongs to: every line logged while serving it carries its id. */
export const requestScope = new AsyncLocalStorage<{ reqId: string }>();

const log = new Logger('request');

/**
 * Gives each request an id (the caller's `X-Request-Id` when it is a sane token, else a new
 * UUID), answers it in `X-Request-Id`, runs the rest of the request inside its scope (so the pino
 * logger stamps `reqId` on every line) and logs one line when the answer is complete. Headers are
 * not logged at all; the logger redacts an authorization header should one ever be passed to it.
 */
export function requestLog(req: Request, res: Response, next: NextFunction): void {
  const given = req.header('x-request-id');
  const reqId = given && /^[\w.:-]{1,64}$/.test(given) ? given : randomUUID();
  res.setHeader('x-request-id', reqId);
  const started = process.hrtime.bigint();
  res.once('finish', () =>
    requestScope.run({ reqId }, () =>
      log.log(
        `${req.method} ${req.path} ${res.statusCode} ${Number(process.hrtime.bigint() - started) / 1e6} ms${req.principal ? ` ${req.principal.user.login}` : ''}`,
      ),
    ),
  );
  requestScope.run({ reqId }, next);
}
