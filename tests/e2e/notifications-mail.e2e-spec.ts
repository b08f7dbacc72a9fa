import * as fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { ConsoleLogger } from '@nestjs/common';
import { SMTPServer } from 'smtp-server';
import { MailSenderService } from '@crm/workflow';
import {
  DIALECTS,
  type TestServer,
  USER_PASSWORD,
  bpmn,
  eventually,
  startServer,
} from './support/harness';

/** What the SMTP server received: the envelope and the message as sent. */
interface Received {
  from: string;
  to: string[];
  raw: string;
}

/**
 * A real SMTP server (smtp-server) with a login, that can refuse the next messages for a while
 * (451: try again later) or for good (550).
 */
async function smtpServer() {
  const received: Received[] = [];
  const state = { refuse: 0, code: 451, logins: 0 };
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === 'crm' && auth.password === 'secret') {
        state.logins++;
        cb(null, { user: auth.username });
      } else cb(new Error('bad login'));
    },
    onMailFrom(_address, _session, cb) {
      if (state.refuse > 0) {
        state.refuse--;
        const err = Object.assign(
          new Error(state.code >= 500 ? 'mailbox unavailable' : 'try again later'),
          { responseCode: state.code },
        );
        cb(err);
        return;
      }
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    received,
    state,
    url: `smtp://crm:secret@127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

// ---- reading a MIME message (only what nodemailer writes: headers, multipart, QP / base64) ----

const decodeWords = (s: string): string =>
  s
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([BQ])\?([^?]*)\?=/gi, (_m, _cs, enc: string, text: string) =>
      enc.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : Buffer.from(
            text
              .replace(/_/g, ' ')
              .replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))),
            'latin1',
          ).toString('utf8'),
    );

function splitMessage(raw: string): { headers: Record<string, string>; body: string } {
  const at = raw.indexOf('\r\n\r\n');
  const headers: Record<string, string> = {};
  for (const line of raw
    .slice(0, at)
    .replace(/\r\n[ \t]+/g, ' ')
    .split('\r\n')) {
    const i = line.indexOf(':');
    headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  return { headers, body: raw.slice(at + 4) };
}

function decodeBody(headers: Record<string, string>, body: string): string {
  const enc = (headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
  if (enc === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (enc === 'quoted-printable')
    return Buffer.from(
      body
        .replace(/=\r\n/g, '')
        .replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))),
      'latin1',
    ).toString('utf8');
  return body;
}

function readMail(raw: string): { subject: string; from: string; html: string; text: string } {
  const { headers, body } = splitMessage(raw);
  const boundary = /boundary="?([^";]+)"?/.exec(headers['content-type'])![1];
  const parts = body
    .split(`--${boundary}`)
    .slice(1, -1)
    .map((p) => splitMessage(p.replace(/^\r\n/, '')));
  const part = (type: string) => {
    const p = parts.find((x) => x.headers['content-type'].startsWith(type))!;
    return decodeBody(p.headers, p.body.replace(/\r\n$/, ''));
  };
  return {
    subject: decodeWords(headers.subject),
    from: decodeWords(headers.from),
    html: part('text/html'),
    text: part('text/plain'),
  };
}

// ---- the CRM side ---------------------------------------------------------------------------

const repo = path.join(__dirname, '../..');
/** The shipped templates, as a company would have them. */
const TEMPLATES = Object.fromEntries(
  fs
    .readdirSync(path.join(repo, 'metadata/templates'))
    .map((f) => [
      `templates/${f}`,
      fs.readFileSync(path.join(repo, 'metadata/templates', f), 'utf8'),
    ]),
);

/** What is approved: a record whose display field may hold anything, markup included. */
const REQUEST = `
kind: entity
name: request
label: { zh-CN: 申请, en: Request }
displayField: title
fields:
  title: { type: text, label: { zh-CN: 标题, en: Title }, required: true }
`;
const FILES = { 'request.yaml': REQUEST, ...TEMPLATES };

const FLOW = bpmn(`<bpmn:process id="deal_approval" name="Deal approval" isExecutable="true">
  <bpmn:startEvent id="start"/>
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="approve"/>
  <bpmn:userTask id="approve" name="Approve deal"><bpmn:extensionElements><zeebe:assignmentDefinition candidateUsers="=approvers"/></bpmn:extensionElements></bpmn:userTask>
  <bpmn:sequenceFlow id="f2" sourceRef="approve" targetRef="end"/>
  <bpmn:endEvent id="end"/>
</bpmn:process>`);

const USERS = [
  { login: 'li', displayName: '李雷', email: 'li@example.com', locale: 'zh-CN' },
  { login: 'amy', displayName: 'Amy Wu', email: 'amy@example.com', locale: 'en' },
  { login: 'noemail', displayName: '王五', locale: 'zh-CN' },
];

async function prepare(s: TestServer): Promise<void> {
  for (const u of USERS) {
    const made = await s.api('POST', '/api/admin/users', {
      ...u,
      password: USER_PASSWORD,
      roles: [],
    });
    expect(made.status).toBe(201);
  }
  const dep = await s.api('POST', '/api/workflow/deployments', FLOW, {
    'content-type': 'application/xml',
  });
  expect(dep.status).toBe(201);
}

/** Starts an approval of a new request; its task goes to `approvers`. */
async function submit(s: TestServer, title: string, approvers: string[]) {
  const record = await s.api('POST', '/api/records/request', { title });
  expect(record.status).toBe(201);
  const inst = await s.api('POST', '/api/workflow/instances', {
    processKey: 'deal_approval',
    variables: { approvers },
    record: { entity: 'request', id: record.body.id },
  });
  expect(inst.status).toBe(201);
  const [task] = (await s.api('GET', `/api/tasks?instanceId=${inst.body.id}`)).body.data;
  return { record: record.body, instanceId: inst.body.id as number, taskId: task.id as number };
}

const outbox = async (s: TestServer, query = '') => {
  const res = await s.api('GET', `/api/admin/mail${query}`);
  expect(res.status).toBe(200);
  return res.body.data as Array<Record<string, any>>;
};

const subjectsOf = async (s: TestServer, login: string) =>
  (
    (await s.api('GET', '/api/notifications', undefined, { 'x-user': login })).body.data as Array<{
      subject: string;
    }>
  ).map((n) => n.subject);

const mailEnv = (url: string, extra: Record<string, string> = {}) => ({
  SMTP_URL: url,
  MAIL_FROM: 'CRM <crm@example.com>',
  MAIL_POLL_MS: '0',
  MAIL_BACKOFF_MS: '60000',
  MAIL_MAX_ATTEMPTS: '3',
  PUBLIC_URL: 'https://crm.example.com/',
  ...extra,
});

describe.each(DIALECTS)('email notifications from templates, on %s', (dialect) => {
  let smtp: Awaited<ReturnType<typeof smtpServer>>;
  let s: TestServer;
  let logged: string[];
  const sender = (server: TestServer = s) => server.app.get(MailSenderService);

  beforeAll(async () => {
    smtp = await smtpServer();
    // the harness logs errors only: read what the server says at start from the logger itself
    logged = [];
    jest.spyOn(ConsoleLogger.prototype, 'log').mockImplementation(function (message: unknown) {
      logged.push(String(message));
    });
    s = await startServer(dialect, FILES, mailEnv(smtp.url));
    await prepare(s);
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await s?.close();
    await smtp?.close();
  });
  beforeEach(() => {
    smtp.received.length = 0;
    smtp.state.refuse = 0;
  });

  it('says at start that email is on, without the SMTP password', () => {
    const line = logged.find((l) => l.startsWith('email is on'));
    expect(line).toContain('smtp://crm:***@127.0.0.1');
    expect(line).toContain('as CRM <crm@example.com>');
    expect(logged.join('\n')).not.toContain('secret');
  });

  it('tells each candidate of a new task in their language, and mails those with an address after commit', async () => {
    const { taskId, instanceId } = await submit(s, 'Big <one>', ['li', 'amy', 'noemail', 'ghost']);
    // in-app, with the template's subject in each recipient's language
    expect((await subjectsOf(s, 'li'))[0]).toBe('【待审批】Deal approval：Approve deal Big <one>');
    expect((await subjectsOf(s, 'amy'))[0]).toBe(
      'Approval needed: Approve deal Big <one> (Deal approval)',
    );
    expect((await subjectsOf(s, 'noemail'))[0]).toMatch(/^【待审批】/);
    // queued for the two with an address; nothing has gone out inside the step
    const queued = (await outbox(s, '?state=pending')).filter((m) => m.instanceId === instanceId);
    expect(queued.map((m) => [m.recipient, m.address, m.locale, m.template]).sort()).toEqual([
      ['amy', 'amy@example.com', 'en', 'approval_assignment'],
      ['li', 'li@example.com', 'zh-CN', 'approval_assignment'],
    ]);
    expect(smtp.received).toEqual([]);

    expect(await sender().runDue()).toBe(2);
    expect(smtp.received.map((m) => m.to).sort()).toEqual([
      ['amy@example.com'],
      ['li@example.com'],
    ]);
    const li = readMail(smtp.received.find((m) => m.to[0] === 'li@example.com')!.raw);
    const amy = readMail(smtp.received.find((m) => m.to[0] === 'amy@example.com')!.raw);
    expect(li.subject).toBe('【待审批】Deal approval：Approve deal Big <one>');
    expect(amy.subject).toBe('Approval needed: Approve deal Big <one> (Deal approval)');
    expect(smtp.received[0].from).toBe('crm@example.com');
    expect(li.from).toBe('CRM <crm@example.com>');
    // values are escaped in the HTML body; the link opens the task
    expect(li.html).toContain('<p>李雷，您好：</p>');
    expect(li.html).toContain('单据：申请 Big &lt;one&gt;');
    expect(li.html).toContain(`<a href="https://crm.example.com/inbox/${taskId}">打开审批</a>`);
    expect(amy.html).toContain('Submitted by: tester');
    expect(amy.text).toContain('Record: Request Big <one>');
    expect(smtp.state.logins).toBeGreaterThan(0);

    const sent = (await outbox(s)).filter((m) => m.instanceId === instanceId);
    expect(sent.map((m) => [m.state, m.attempts])).toEqual([
      ['sent', 1],
      ['sent', 1],
    ]);
    // sent once: a later round finds nothing
    expect(await sender().runDue()).toBe(0);
    expect(smtp.received).toHaveLength(2);
  });

  it('retries a message the server refused for now, after the backoff', async () => {
    const { instanceId } = await submit(s, 'Retry me', ['amy']);
    smtp.state.refuse = 1;
    smtp.state.code = 451;
    expect(await sender().runDue()).toBe(1);
    expect(smtp.received).toEqual([]);
    let [row] = (await outbox(s)).filter((m) => m.instanceId === instanceId);
    expect(row).toMatchObject({ state: 'pending', attempts: 1 });
    expect(row.lastError).toContain('try again later');
    expect(Date.parse(row.nextAttemptAt) - s.clock.now().getTime()).toBe(60_000);

    // not before its time
    s.clock.advance(59_000);
    expect(await sender().runDue()).toBe(0);
    s.clock.advance(1_000);
    expect(await sender().runDue()).toBe(1);
    expect(smtp.received.map((m) => readMail(m.raw).subject)).toEqual([
      'Approval needed: Approve deal Retry me (Deal approval)',
    ]);
    [row] = (await outbox(s)).filter((m) => m.instanceId === instanceId);
    expect(row).toMatchObject({ state: 'sent', attempts: 2, lastError: null });
  });

  it('marks a message failed when the server refuses it for good, and an admin retries it', async () => {
    const { instanceId } = await submit(s, 'Refused', ['li']);
    smtp.state.refuse = 1;
    smtp.state.code = 550;
    expect(await sender().runDue()).toBe(1);
    const failed = (await outbox(s, '?state=failed')).filter((m) => m.instanceId === instanceId);
    expect(failed).toEqual([
      expect.objectContaining({ state: 'failed', attempts: 1, recipient: 'li' }),
    ]);
    expect(failed[0].lastError).toContain('mailbox unavailable');

    const retried = await s.api('POST', `/api/admin/mail/${failed[0].id}/retry`);
    expect(retried).toMatchObject({ status: 200, body: { state: 'pending', id: failed[0].id } });
    expect(await sender().runDue()).toBe(1);
    expect(smtp.received.map((m) => m.to)).toEqual([['li@example.com']]);
    const again = await s.api('POST', `/api/admin/mail/${failed[0].id}/retry`);
    expect(again).toMatchObject({ status: 409, body: { code: 'MAIL_NOT_FAILED' } });
    const audit = (await s.api('GET', '/api/admin/audit')).body.data;
    expect(audit[0]).toMatchObject({ action: 'mail.retry', subject: `mail ${failed[0].id}` });
  });

  it('gives up after MAIL_MAX_ATTEMPTS temporary refusals', async () => {
    const { instanceId } = await submit(s, 'Never', ['amy']);
    smtp.state.refuse = 3;
    smtp.state.code = 450;
    for (let i = 0; i < 3; i++) {
      expect(await sender().runDue()).toBe(1);
      s.clock.advance(24 * 3600_000);
    }
    const [row] = (await outbox(s)).filter((m) => m.instanceId === instanceId);
    expect(row).toMatchObject({ state: 'failed', attempts: 3, nextAttemptAt: null });
    expect(await sender().runDue()).toBe(0);
    expect(smtp.received).toEqual([]);
  });

  it.each([
    { title: 'an unknown state', query: '?state=lost', code: 'QUERY_INVALID', at: 'state' },
    { title: 'a limit out of range', query: '?limit=0', code: 'QUERY_INVALID', at: 'limit' },
    { title: 'an unknown parameter', query: '?status=failed', code: 'QUERY_INVALID', at: 'status' },
  ])('answers $title on the outbox list with a 400 naming it', async ({ query, code, at }) => {
    const res = await s.api('GET', `/api/admin/mail${query}`);
    expect(res).toMatchObject({ status: 400, body: { code, errors: [{ path: at }] } });
  });

  it('answers 404 for an unknown mail and 403 for a user who may not manage mail', async () => {
    expect(await s.api('POST', '/api/admin/mail/999999/retry')).toMatchObject({
      status: 404,
      body: { code: 'MAIL_NOT_FOUND' },
    });
    const token = await (async () => {
      const res = await fetch(`${s.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-no-auth': '1' },
        body: JSON.stringify({ login: 'li', password: USER_PASSWORD }),
      });
      return ((await res.json()) as { accessToken: string }).accessToken;
    })();
    const res = await fetch(`${s.url}/api/admin/mail`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(403);
  });

  it('sends each message once when two nodes run the mail job at the same moment', async () => {
    const node2 = await startServer(dialect, {}, mailEnv(smtp.url), s);
    try {
      const before = (await outbox(s)).length;
      for (let i = 0; i < 4; i++) await submit(s, `Race ${i}`, ['li', 'amy']);
      expect((await outbox(s)).length).toBe(before + 8);
      const [a, b] = await Promise.all([sender(s).runDue(), sender(node2).runDue()]);
      expect(a + b).toBe(8);
      expect(smtp.received).toHaveLength(8);
      const subjects = smtp.received.map((m) => `${m.to[0]} ${readMail(m.raw).subject}`);
      expect(new Set(subjects).size).toBe(8);
    } finally {
      await node2.close();
    }
  });

  it('sends by itself when MAIL_POLL_MS is set', async () => {
    const polled = await startServer(dialect, FILES, mailEnv(smtp.url, { MAIL_POLL_MS: '50' }));
    try {
      await prepare(polled);
      await submit(polled, 'Polled', ['li']);
      await eventually(async () => expect(smtp.received).toHaveLength(1));
      expect(readMail(smtp.received[0].raw).subject).toBe(
        '【待审批】Deal approval：Approve deal Polled',
      );
    } finally {
      await polled.close();
    }
  });
});

describe.each(DIALECTS)('without SMTP_URL, on %s', (dialect) => {
  it('queues nothing, keeps the in-app notification, and says at start that email is off', async () => {
    const logged: string[] = [];
    const spy = jest.spyOn(ConsoleLogger.prototype, 'log').mockImplementation(function (
      message: unknown,
    ) {
      logged.push(String(message));
    });
    const s = await startServer(dialect, FILES);
    try {
      expect(logged.filter((l) => l.startsWith('email is'))).toEqual([
        'email is off: SMTP_URL is not set, notifications stay in-app',
      ]);
      await prepare(s);
      await submit(s, 'Quiet', ['li', 'amy']);
      expect((await subjectsOf(s, 'li'))[0]).toBe('【待审批】Deal approval：Approve deal Quiet');
      expect(await outbox(s)).toEqual([]);
      expect(await s.app.get(MailSenderService).runDue()).toBe(0);
    } finally {
      spy.mockRestore();
      await s.close();
    }
  });
});
