import { createTransport } from 'nodemailer';

export interface OutgoingMail {
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
}

/** Where mail leaves the process: SMTP in production; the seam the mail job sends through. */
export interface MailTransport {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/**
 * nodemailer over SMTP_URL, with pooled connections (a round of mail reuses them). The timeouts
 * are far shorter than nodemailer's defaults (2 and 10 minutes) so that one attempt ends well
 * within the claim on its outbox row; query parameters of the URL (nodemailer's own options,
 * e.g. `?tls.rejectUnauthorized=false`) still override them.
 */
export function smtpTransport(url: string): MailTransport {
  const transporter = createTransport({
    url,
    pool: true,
    maxConnections: 2,
    connectionTimeout: 20_000,
    greetingTimeout: 20_000,
    socketTimeout: 60_000,
  });
  return {
    async send(mail) {
      await transporter.sendMail(mail);
    },
    close() {
      transporter.close();
    },
  };
}
