import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import type { NextFunction, Request, Response } from 'express';
import { PinoLogger } from './pino-logger';
import { requestLog } from './request-log';

function collect(): { lines: Array<Record<string, unknown>>; stream: Writable } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      cb();
    },
  });
  return { lines, stream };
}

const fakeRequest = (headers: Record<string, string>) => {
  const res = Object.assign(new EventEmitter(), {
    headers: {} as Record<string, string>,
    statusCode: 200,
    setHeader(k: string, v: string) {
      this.headers[k] = v;
    },
  });
  const req = { method: 'GET', path: '/api/x', header: (k: string) => headers[k] };
  return { req: req as unknown as Request, res: res as unknown as Response & typeof res };
};

describe('request logs', () => {
  it('stamp every line logged while serving a request with its id, and answer the id', async () => {
    const { lines, stream } = collect();
    const logger = new PinoLogger('info', stream);
    const { req, res } = fakeRequest({});
    const later = new Promise<void>((done) =>
      requestLog(req, res, (() => {
        logger.warn('denied someone', 'access');
        // after an await (a database round trip...): still the same request
        setImmediate(() => {
          logger.error('later, still this request');
          done();
        });
      }) as NextFunction),
    );
    await later;
    logger.log('outside any request', 'main');
    const id = res.headers['x-request-id'];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines.map((l) => l.reqId)).toEqual([id, id, undefined]);
  });

  it("keep a caller's sane X-Request-Id and replace one that is not", () => {
    const ok = fakeRequest({ 'x-request-id': 'lb-1234.abc' });
    requestLog(ok.req, ok.res, () => undefined);
    expect(ok.res.headers['x-request-id']).toBe('lb-1234.abc');
    const bad = fakeRequest({ 'x-request-id': 'a\nfake log line' });
    requestLog(bad.req, bad.res, () => undefined);
    expect(bad.res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('redact an authorization header and passwords wherever they are logged', () => {
    const { lines, stream } = collect();
    const logger = new PinoLogger('info', stream);
    logger.pino.info({ req: { headers: { authorization: 'Bearer secret-token' } }, password: 'p' });
    expect(JSON.stringify(lines)).not.toContain('secret-token');
    expect(lines[0]).toMatchObject({
      req: { headers: { authorization: '[redacted]' } },
      password: '[redacted]',
    });
  });
});
