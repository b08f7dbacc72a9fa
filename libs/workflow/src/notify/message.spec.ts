import type { TemplateDocument } from '@crm/metadata';
import { isPermanentFailure, retryDelayMs } from './mail-outbox';
import {
  type ContextInput,
  formatInZone,
  htmlToText,
  messageContext,
  messageLink,
  pickLocale,
  renderMessage,
  usesRecord,
} from './message';

const assignment: TemplateDocument = {
  kind: 'template',
  name: 'approval_assignment',
  label: { 'zh-CN': '待审批', en: 'Assigned' },
  event: 'assignment',
  channel: 'email',
  format: 'html',
  subject: {
    'zh-CN': '【待审批】{{ taskName }} {{ recordTitle }}',
    en: 'Approval needed: {{ taskName }} {{ recordTitle }}',
  },
  body: {
    'zh-CN': '<p>{{ recipient.displayName }}，您好：{{ actor }} 说 {{ comment }}</p>',
    en: '<p>Hello {{ recipient.displayName }}, {{ actor }} says {{ comment }}</p><p><a href="{{ link }}">Open</a></p>',
  },
};

const input = (over: Partial<ContextInput> = {}): ContextInput => ({
  locale: 'zh-CN',
  recipient: { login: 'li', displayName: '李雷' },
  actor: { login: 'han', displayName: null },
  comment: '<script>alert(1)</script> & "ok"',
  instanceId: 7,
  taskId: 12,
  taskName: '经理审批',
  processName: '报价审批',
  outcome: null,
  dueAt: '2026-03-16T10:00:00.000Z',
  timeZone: 'Asia/Shanghai',
  link: 'https://crm.example.com/inbox/12',
  record: { title: 'BJ-0001 机床', discount: 12 },
  entity: { label: { 'zh-CN': '报价单', en: 'Quote' }, displayField: 'title' },
  ...over,
});

describe('pickLocale', () => {
  it.each([
    [null, 'zh-CN'],
    ['', 'zh-CN'],
    ['zh-CN', 'zh-CN'],
    ['zh-TW', 'zh-CN'],
    ['en', 'en'],
    ['fr', 'en'],
  ])('%p reads %s', (locale, expected) => {
    expect(pickLocale(locale)).toBe(expected);
  });
});

describe('renderMessage', () => {
  it('renders the subject in the recipient’s language', () => {
    const zh = renderMessage(assignment, 'zh-CN', messageContext(input()));
    expect(zh.subject).toBe('【待审批】经理审批 BJ-0001 机床');
    const en = renderMessage(assignment, 'en', messageContext(input({ locale: 'en' })));
    expect(en.subject).toBe('Approval needed: 经理审批 BJ-0001 机床');
  });

  it('escapes values in an HTML body, and the text part reads them back as written', () => {
    const m = renderMessage(assignment, 'en', messageContext(input({ locale: 'en' })));
    expect(m.html).toBe(
      '<p>Hello 李雷, han says &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;ok&quot;</p><p><a href="https://crm.example.com/inbox/12">Open</a></p>',
    );
    expect(m.text).toBe(
      'Hello 李雷, han says <script>alert(1)</script> & "ok"\nOpen (https://crm.example.com/inbox/12)',
    );
  });

  it('keeps a plain-text body as text, its line breaks as <br> in the HTML part', () => {
    const text: TemplateDocument = {
      ...assignment,
      format: undefined,
      body: { 'zh-CN': '第一行 {{ comment }}\n第二行', en: 'x' },
    };
    const m = renderMessage(text, 'zh-CN', messageContext(input({ comment: 'a < b' })));
    expect(m.text).toBe('第一行 a < b\n第二行');
    expect(m.html).toBe('第一行 a &lt; b<br>\n第二行');
    expect(htmlToText(m.html)).toBe(m.text);
  });

  it('never lets a value break the subject into a second header line', () => {
    const t = { ...assignment, subject: { 'zh-CN': '{{ comment }}', en: 'x' } };
    const m = renderMessage(t, 'zh-CN', messageContext(input({ comment: 'a\r\nBcc: x@evil' })));
    expect(m.subject).toBe('a Bcc: x@evil');
  });
});

describe('messageContext', () => {
  it('translates the outcome and the entity, and shows the due date in the company zone', () => {
    const zh = messageContext(input({ outcome: 'rejected' }));
    expect(zh).toMatchObject({
      outcome: '已驳回',
      recordType: '报价单',
      recordTitle: 'BJ-0001 机床',
      dueAt: '2026-03-16 18:00 (Asia/Shanghai)',
      actor: 'han',
    });
    expect(messageContext(input({ locale: 'en', outcome: 'rejected' }))).toMatchObject({
      outcome: 'rejected',
      recordType: 'Quote',
    });
  });

  it('falls back to the login when a user has no display name, and to nothing without a record', () => {
    const c = messageContext(
      input({ recipient: { login: 'li', displayName: null }, record: null, entity: null }),
    );
    expect(c).toMatchObject({ recipient: { displayName: 'li' }, recordTitle: '', recordType: '' });
  });
});

describe('small rules', () => {
  it('formats an instant in a zone', () => {
    expect(formatInZone('2026-12-31T16:30:00Z', 'Asia/Shanghai')).toBe(
      '2027-01-01 00:30 (Asia/Shanghai)',
    );
  });

  it('links to the task, else the record, else the inbox', () => {
    expect(messageLink('https://x', 5, { entity: 'quote', id: 9 })).toBe('https://x/inbox/5');
    expect(messageLink('https://x', null, { entity: 'quote', id: 9 })).toBe(
      'https://x/records/quote/9',
    );
    expect(messageLink(null, null, null)).toBe('/inbox');
  });

  it('knows whether a template needs the record', () => {
    expect(usesRecord(assignment)).toBe(true);
    const bare = {
      ...assignment,
      subject: { 'zh-CN': '{{ taskName }}', en: 'x' },
      body: { 'zh-CN': 'y', en: 'z' },
    };
    expect(usesRecord(bare)).toBe(false);
  });

  it('backs off doubling from the configured delay, at most a day', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, 60_000))).toEqual([
      60_000, 120_000, 240_000, 480_000,
    ]);
    expect(retryDelayMs(30, 60_000)).toBe(24 * 3600_000);
  });

  it('retries connection trouble and 4xx replies, not 5xx ones', () => {
    expect(isPermanentFailure({ responseCode: 451 })).toBe(false);
    expect(isPermanentFailure({ code: 'ECONNECTION' })).toBe(false);
    expect(isPermanentFailure({ responseCode: 550 })).toBe(true);
    expect(isPermanentFailure({ code: 'EENVELOPE' })).toBe(true);
  });
});
