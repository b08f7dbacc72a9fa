import { randomUUID } from 'node:crypto';
import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  Logger,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { CrmError, ErrorCode } from '@crm/common';
import { discardRestOfBody } from './uploads';

export interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  errors: Array<{ path: string; message: string }>;
  correlationId?: string;
  [extra: string]: unknown;
}

/**
 * The one error shape everywhere: `{ statusCode, code, message, errors: [{ path, message }] }`.
 * User errors carry their code; anything unexpected is a 500 that reveals nothing and is logged
 * with a correlation id the response also carries.
 */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly log = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const req = host.switchToHttp().getRequest<Request>();
    const body = this.toBody(exception, req);
    if (!req.complete) discardRestOfBody(req, res);
    res.status(body.statusCode).json(body);
  }

  toBody(exception: unknown, req: Request): ErrorBody {
    if (exception instanceof CrmError) {
      return {
        statusCode: exception.status,
        code: exception.code,
        message: exception.message,
        errors: exception.errors,
        ...(exception.extra ?? {}),
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const r = exception.getResponse();
      const message =
        typeof r === 'string'
          ? r
          : String((r as { message?: unknown }).message ?? exception.message);
      const code =
        status === 404
          ? ErrorCode.RouteNotFound
          : status === 413
            ? ErrorCode.FileTooLarge
            : status < 500
              ? ErrorCode.BadRequest
              : ErrorCode.Internal;
      if (status < 500) {
        return {
          statusCode: status,
          code,
          message: status === 404 ? `no route ${req.method} ${req.path}` : message,
          errors: [{ path: status === 404 ? req.path : '', message }],
        };
      }
    }
    const e = exception as { type?: string; status?: number; message?: string };
    // body-parser errors (malformed JSON, too large) arrive as plain errors with a status
    if (e && typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      const code = e.type === 'entity.too.large' ? ErrorCode.FileTooLarge : ErrorCode.BadRequest;
      return {
        statusCode: e.status,
        code,
        message:
          e.type === 'entity.parse.failed' ? 'request body is not valid JSON' : String(e.message),
        errors: [{ path: '', message: String(e.message) }],
      };
    }
    const correlationId = randomUUID();
    this.log.error(
      `[${correlationId}] ${req.method} ${req.url}: ${(exception as Error)?.stack ?? String(exception)}`,
    );
    return {
      statusCode: 500,
      code: ErrorCode.Internal,
      message: `internal error; quote correlation id ${correlationId} when reporting it`,
      errors: [],
      correlationId,
    };
  }
}
