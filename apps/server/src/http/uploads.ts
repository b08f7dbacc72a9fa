import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  SetMetadata,
  UseGuards,
  applyDecorators,
} from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { APP_CONFIG, type AppConfig, CrmError, ErrorCode } from '@crm/common';

/**
 * Routes whose body is a file (record imports, BPMN deployments, uploads). Their bodies are never
 * read by the general parsers, which run before authentication: the handler reads them itself,
 * after the guards have checked who is asking and whether they may, and stops at MAX_FILE_BYTES.
 */
const UPLOAD_ROUTES = [
  /^\/api\/records\/[^/]+\/import\/?$/,
  /^\/api\/workflow\/deployments\/?$/,
  /^\/api\/files\/?$/,
];

export const isUploadRoute = (req: Request): boolean =>
  req.method === 'POST' && UPLOAD_ROUTES.some((r) => r.test(req.path));

/** A body parser that leaves upload routes alone (their handlers read the body after the guards). */
export function exceptUploads(parser: RequestHandler): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) =>
    isUploadRoute(req) ? next() : parser(req, res, next);
}

export function tooLarge(limit: number): CrmError {
  return new CrmError(ErrorCode.FileTooLarge, `the upload is larger than ${limit} bytes`, [
    { path: 'body', message: `at most ${limit} bytes (MAX_FILE_BYTES)` },
  ]);
}

/** Multipart framing (boundaries, part headers) on top of the file itself. */
const MULTIPART_SLACK = 64 * 1024;

/**
 * Refuses at once a body that announces more than the limit; multipart gets a little room for its
 * framing (multer then enforces the file's own size while reading).
 */
export function assertDeclaredLength(req: Request, limit: number): void {
  const declared = Number(req.header('content-length'));
  const multipart = (req.header('content-type') ?? '').startsWith('multipart/');
  if (Number.isFinite(declared) && declared > limit + (multipart ? MULTIPART_SLACK : 0))
    throw tooLarge(limit);
}

/**
 * The raw body, read as it arrives and given up (413) as soon as it passes `limit` bytes — also
 * when it is sent chunked and announced no length. Never more than `limit` bytes are held.
 */
export function readBody(req: Request, limit: number): Promise<Buffer> {
  assertDeclaredLength(req, limit);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (err: Error | null) => {
      if (done) return;
      done = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      if (err) {
        // stop reading: the error answer closes the connection (see ErrorFilter)
        req.pause();
        reject(err);
      } else resolve(Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return finish(tooLarge(limit));
      chunks.push(chunk);
    };
    const onEnd = () => finish(null);
    const onError = (err: Error) =>
      finish(
        new CrmError(ErrorCode.BadRequest, 'the request body was cut off', [
          { path: 'body', message: err.message },
        ]),
      );
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

export const isMultipart = (req: Request): boolean =>
  (req.header('content-type') ?? '').toLowerCase().startsWith('multipart/form-data');

export type UploadCheck = (req: Request, refs: ModuleRef) => void | Promise<void>;
const UPLOAD_CHECK = 'crm:upload-check';

/**
 * An upload route: its guard runs after the global AuthGuard (so the user is known) and before the
 * file interceptor and the handler (so nothing of the body has been read yet). `check` throws the
 * route's 403; then a body announcing more than MAX_FILE_BYTES is refused with 413.
 */
export const Upload = (check: UploadCheck) =>
  applyDecorators(SetMetadata(UPLOAD_CHECK, check), UseGuards(UploadGuard));

@Injectable()
export class UploadGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly refs: ModuleRef,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<Request>();
    const check = this.reflector.get<UploadCheck | undefined>(UPLOAD_CHECK, ctx.getHandler());
    if (check) await check(req, this.refs);
    assertDeclaredLength(req, this.config.maxFileBytes);
    return true;
  }
}

/** What is read and thrown away after answering a refused upload, before the connection is cut. */
const DISCARD_BYTES = 1024 * 1024;
const DISCARD_MS = 5000;

/**
 * Answered before the body was read (a refused or too large upload). Closing the socket at once
 * would make the kernel reset the connection over the unread bytes, and the client would lose the
 * answer; reading all of it is what an attacker wants. So, like a web server's lingering close:
 * after the answer, up to 1 MB or 5 s of the rest is read and discarded, then the socket is cut.
 */
export function discardRestOfBody(req: Request, res: Response): void {
  res.once('finish', () => {
    let left = DISCARD_BYTES;
    const cut = () => {
      clearTimeout(timer);
      req.socket.destroy();
    };
    const timer = setTimeout(cut, DISCARD_MS);
    timer.unref();
    req.on('data', (chunk: Buffer) => {
      left -= chunk.length;
      if (left < 0) cut();
    });
    req.once('end', () => clearTimeout(timer));
    req.resume();
  });
}
