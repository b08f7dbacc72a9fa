import type { TaskContext } from '../task-types';
import { TaskTypeError } from '../task-types';
import { FindRecords, filterOf } from './find-records';
import { SendMessage, renderText } from './send-message';

/** A task context over literal headers (what the engine builds from zeebe:taskHeaders). */
const ctx = (headers: Record<string, unknown>): TaskContext => ({
  type: 'test',
  headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, String(v)])),
  header: (name) => headers[name],
  variables: {},
  record: null,
  instanceId: 1,
  actor: 'tester',
});
// the checks below fail before any record is read: no records service is reached
const noRecords = null as never;

describe('crm:find-records headers', () => {
  const find = new FindRecords(noRecords, () => ({}));
  it.each([
    ['no entity', {}, 'needs an entity header'],
    ['a limit of 0', { entity: 'x', limit: '0' }, 'limit must be 1..1000'],
    ['a limit above 1000', { entity: 'x', limit: 5000 }, 'limit must be 1..1000'],
    ['a fractional limit', { entity: 'x', limit: '2.5' }, 'limit must be 1..1000'],
    ['a filter that is not JSON', { entity: 'x', filter: '{status: open' }, 'neither JSON'],
  ])('refuses %s', async (_what, headers, message) => {
    const run = find.run(ctx(headers));
    await expect(run).rejects.toBeInstanceOf(TaskTypeError);
    await expect(run).rejects.toThrow(message);
  });

  it('takes a filter as JSON text or as a FEEL context', () => {
    expect(filterOf('{"status":"open"}')).toEqual({ status: 'open' });
    expect(filterOf({ birthday: { isNull: false } })).toEqual({ birthday: { isNull: false } });
    expect(filterOf('')).toBeUndefined();
  });
});

describe('crm:send-message headers', () => {
  const send = new SendMessage(noRecords, { now: () => new Date() }, () => false);
  it.each([
    ['no template', {}, 'needs a template header'],
    ['a template that is text', { template: 'birthday' }, 'needs a template header'],
    ['a template without body', { template: { subject: 'x' } }, 'has no body'],
    ['an unknown channel', { template: { body: 'x' }, channel: 'fax' }, 'email or sms'],
    ['no record to send to', { template: { body: 'x' } }, 'needs a linked record'],
  ])('refuses %s', async (_what, headers, message) => {
    const run = send.run(ctx(headers));
    await expect(run).rejects.toBeInstanceOf(TaskTypeError);
    await expect(run).rejects.toThrow(message);
  });
});

describe('renderText', () => {
  it.each([
    ['{{ record.name }}，生日快乐', { record: { name: '王芳' } }, '王芳，生日快乐'],
    ['{{record.name}}', { record: { name: 'a' } }, 'a'],
    [
      'Due {{ record.amountDue }}',
      { record: { amountDue: { amount: 1200.5, currency: 'CNY' } } },
      'Due 1200.50 CNY',
    ],
    ['{{ record.tags }}', { record: { tags: ['vip', 'key'] } }, 'vip, key'],
    ['[{{ record.missing }}]', { record: {} }, '[]'],
    ['[{{ nothing.deeper }}]', {}, '[]'],
    ['{{ count }} left', { count: 3 }, '3 left'],
  ])('%s', (text, context, expected) => {
    expect(renderText(text, context)).toBe(expected);
  });
});
