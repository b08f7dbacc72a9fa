import { ApiError } from '../api/client';
import { minutesToWait, problemOf, variableErrors } from './problems';

const apiError = (status: number, body: Record<string, unknown>) =>
  new ApiError(status, {
    statusCode: status,
    code: 'X',
    message: 'm',
    errors: [],
    ...body,
  } as never);

describe('problemOf', () => {
  it('keeps the message, the named fields and a 429 wait', () => {
    const p = problemOf(
      apiError(429, {
        code: 'RATE_LIMITED',
        message: 'instance 7 was reminded less than an hour ago; try again in 42 min',
        errors: [{ path: 'id', message: 'retry after 2501 s' }],
        retryAfterSeconds: 2501,
      }),
    );
    expect(p).toEqual({
      status: 429,
      code: 'RATE_LIMITED',
      message: 'instance 7 was reminded less than an hour ago; try again in 42 min',
      fields: [{ path: 'id', message: 'retry after 2501 s' }],
      retryAfterSeconds: 2501,
    });
    expect(minutesToWait(p.retryAfterSeconds!)).toBe(42);
  });

  it('has no wait without retryAfterSeconds, and reads a network failure', () => {
    expect(problemOf(apiError(409, { code: 'TASK_CONFLICT' })).retryAfterSeconds).toBeNull();
    expect(problemOf(new TypeError('Failed to fetch'))).toMatchObject({
      status: 0,
      message: 'Failed to fetch',
      fields: [],
    });
  });
});

describe('variableErrors', () => {
  it('puts /variables/... errors on their fields and leaves the rest', () => {
    const p = problemOf(
      apiError(400, {
        code: 'VARIABLES_INVALID',
        errors: [
          { path: '/variables/score', message: 'must be >= 1' },
          { path: '/variables/score', message: 'must be integer' },
          { path: '/variables/reason/0', message: 'must be string' },
          { path: '/comment', message: 'is longer than 2000' },
        ],
      }),
    );
    expect(variableErrors(p)).toEqual({
      score: { __errors: ['must be >= 1', 'must be integer'] },
      reason: { __errors: ['must be string'] },
    });
    expect(variableErrors(null)).toEqual({});
  });

  it('waits at least a minute', () => {
    expect(minutesToWait(1)).toBe(1);
    expect(minutesToWait(60)).toBe(1);
    expect(minutesToWait(61)).toBe(2);
  });
});
