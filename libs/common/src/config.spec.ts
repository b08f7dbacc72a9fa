import type { CrmError } from './errors';
import { loadConfig, redactUrl } from './config';

const load = (env: Record<string, string>) => loadConfig(env, '/srv/crm');

function refusal(env: Record<string, string>): CrmError {
  try {
    load(env);
  } catch (e) {
    return e as CrmError;
  }
  throw new Error('loadConfig accepted a bad value');
}

describe('mail configuration', () => {
  it('is off without SMTP_URL', () => {
    expect(load({ MAIL_FROM: 'crm@example.com' }).mail).toBeNull();
  });

  it('reads SMTP_URL, MAIL_FROM and the job settings', () => {
    const c = load({
      SMTP_URL: 'smtps://crm:pw@smtp.example.com:465',
      MAIL_FROM: 'CRM 系统 <crm@example.com>',
      MAIL_POLL_MS: '0',
      PUBLIC_URL: 'https://crm.example.com/',
    });
    expect(c.mail).toEqual({
      smtpUrl: 'smtps://crm:pw@smtp.example.com:465',
      from: 'CRM 系统 <crm@example.com>',
      pollMs: 0,
      maxAttempts: 5,
      backoffMs: 60_000,
    });
    expect(c.publicUrl).toBe('https://crm.example.com');
  });

  it('sends as the SMTP login when that is an address and MAIL_FROM is not set', () => {
    expect(load({ SMTP_URL: 'smtp://crm%40example.com:pw@smtp.example.com' }).mail?.from).toBe(
      'crm@example.com',
    );
  });

  it.each<{ title: string; env: Record<string, string>; at: string }>([
    { title: 'another scheme', env: { SMTP_URL: 'http://smtp.example.com' }, at: 'SMTP_URL' },
    { title: 'no URL at all', env: { SMTP_URL: 'user:secret@smtp' }, at: 'SMTP_URL' },
    { title: 'no sender', env: { SMTP_URL: 'smtp://crm:pw@smtp.example.com' }, at: 'MAIL_FROM' },
    {
      title: 'a sender that is no address',
      env: { SMTP_URL: 'smtp://smtp.example.com', MAIL_FROM: 'CRM' },
      at: 'MAIL_FROM',
    },
    {
      title: 'a negative poll interval',
      env: { SMTP_URL: 'smtp://smtp.example.com', MAIL_FROM: 'a@b.c', MAIL_POLL_MS: '-1' },
      at: 'MAIL_POLL_MS',
    },
    {
      title: 'zero attempts',
      env: { SMTP_URL: 'smtp://smtp.example.com', MAIL_FROM: 'a@b.c', MAIL_MAX_ATTEMPTS: '0' },
      at: 'MAIL_MAX_ATTEMPTS',
    },
    {
      title: 'a public URL without scheme',
      env: { PUBLIC_URL: 'crm.example.com' },
      at: 'PUBLIC_URL',
    },
  ])('refuses $title, naming the variable', ({ env, at }) => {
    const e = refusal(env);
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.errors.map((d) => d.path)).toEqual([at]);
    // a refused SMTP_URL is never echoed: it may carry a password
    expect(JSON.stringify({ m: e.message, d: e.errors })).not.toContain('secret');
  });

  it('hides the password when it shows an SMTP URL', () => {
    expect(redactUrl('smtp://crm:s3cr%40t@smtp.example.com:587')).toBe(
      'smtp://crm:***@smtp.example.com:587',
    );
  });
});
