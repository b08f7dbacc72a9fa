import { BadRequestException, Logger, NotFoundException } from '@nestjs/common';
import type { Request } from 'express';
import { CrmError, ErrorCode } from '@crm/common';
import { ErrorFilter } from './error.filter';

const req = { method: 'GET', url: '/api/x?y=1', path: '/api/x' } as Request;

describe('ErrorFilter', () => {
  const filter = new ErrorFilter();
  let logged: string[];
  beforeEach(() => {
    logged = [];
    jest
      .spyOn(Logger.prototype, 'error')
      .mockImplementation((m: unknown) => void logged.push(String(m)));
  });
  afterEach(() => jest.restoreAllMocks());

  it('maps a typed error to its status, code and details, with recovery payload', () => {
    const body = filter.toBody(
      new CrmError(
        ErrorCode.VersionConflict,
        'stale',
        [{ path: '/version', message: 'stale version' }],
        { current: { id: 1 } },
      ),
      req,
    );
    expect(body).toEqual({
      statusCode: 409,
      code: 'VERSION_CONFLICT',
      message: 'stale',
      errors: [{ path: '/version', message: 'stale version' }],
      current: { id: 1 },
    });
  });

  it('maps Nest HTTP errors into the one shape', () => {
    expect(filter.toBody(new NotFoundException(), req)).toMatchObject({
      statusCode: 404,
      code: 'ROUTE_NOT_FOUND',
      message: 'no route GET /api/x',
    });
    expect(filter.toBody(new BadRequestException('nope'), req)).toMatchObject({
      statusCode: 400,
      code: 'BAD_REQUEST',
      message: 'nope',
    });
  });

  it('turns anything unexpected into a 500 that reveals nothing and logs it with a correlation id', () => {
    const secret = new Error('ER_ACCESS_DENIED for user root at 10.0.0.5, table e_secret');
    const body = filter.toBody(secret, req);
    expect(body.statusCode).toBe(500);
    expect(body.code).toBe('INTERNAL_ERROR');
    expect(JSON.stringify(body)).not.toContain('10.0.0.5');
    expect(JSON.stringify(body)).not.toContain('e_secret');
    expect(body.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain(String(body.correlationId));
    expect(logged[0]).toContain('10.0.0.5');
  });

  it('answers malformed JSON bodies with 400', () => {
    const parseError = Object.assign(new SyntaxError('Unexpected end'), {
      status: 400,
      type: 'entity.parse.failed',
    });
    expect(filter.toBody(parseError, req)).toMatchObject({
      statusCode: 400,
      code: 'BAD_REQUEST',
      message: 'request body is not valid JSON',
    });
  });
});
