import type { LoggerService } from '@nestjs/common';
import pino, { type DestinationStream, type Logger } from 'pino';
import { requestScope } from './request-log';

const QUIET = new Set([
  'RouterExplorer',
  'RoutesResolver',
  'InstanceLoader',
  'NestFactory',
  'NestApplication',
]);

/**
 * Nest's logger interface over pino: one JSON line per event, stamped with the id of the request
 * it was logged for (`reqId`); credentials are redacted wherever they would appear.
 */
export class PinoLogger implements LoggerService {
  readonly pino: Logger;
  constructor(level: string, destination?: DestinationStream) {
    this.pino = pino(
      {
        level,
        base: undefined,
        mixin: () => {
          const scope = requestScope.getStore();
          return scope ? { reqId: scope.reqId } : {};
        },
        redact: {
          paths: [
            'authorization',
            'headers.authorization',
            'req.headers.authorization',
            'password',
            '*.password',
          ],
          censor: '[redacted]',
        },
      },
      destination,
    );
  }
  private ctx(optional: unknown[]): Record<string, unknown> {
    const last = optional[optional.length - 1];
    return typeof last === 'string' ? { context: last } : {};
  }
  log(message: unknown, ...optional: unknown[]): void {
    const ctx = this.ctx(optional);
    // Nest's boot chatter (every route mapped...) is noise at info level.
    if (typeof ctx.context === 'string' && QUIET.has(ctx.context))
      return this.debug(message, ...optional);
    this.pino.info(ctx, String(message));
  }
  error(message: unknown, ...optional: unknown[]): void {
    this.pino.error(this.ctx(optional), String(message));
  }
  warn(message: unknown, ...optional: unknown[]): void {
    this.pino.warn(this.ctx(optional), String(message));
  }
  debug(message: unknown, ...optional: unknown[]): void {
    this.pino.debug(this.ctx(optional), String(message));
  }
  verbose(message: unknown, ...optional: unknown[]): void {
    this.pino.trace(this.ctx(optional), String(message));
  }
}
