/** How a notice leaves: SMTP through nodemailer, and an HTTP POST for webhooks. Each returns the other side's reply. */
import nodemailer from 'nodemailer';

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface Transports {
  /** Resolves with the SMTP server's reply; rejects with its error. Absent when SMTP_URL is not set. */
  email: ((m: EmailMessage) => Promise<string>) | null;
  /** Resolves with the HTTP status (any); rejects on a network error or time-out. */
  webhook(url: string, headers: Record<string, string>, body: string): Promise<number>;
  close(): void;
}

export function createTransports(opts: { smtpUrl: string | null; from: string; webhookTimeoutMs: number }): Transports {
  const mailer = opts.smtpUrl === null ? null : nodemailer.createTransport(opts.smtpUrl);
  return {
    email:
      mailer === null
        ? null
        : async (m) => {
            const info = (await mailer.sendMail({ from: opts.from, to: m.to, subject: m.subject, text: m.text, html: m.html })) as { response?: string };
            return info.response ?? 'accepted';
          },
    webhook: async (url, headers, body) => {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'Frontline-Webhooks/1', ...headers }, body, redirect: 'manual', signal: AbortSignal.timeout(opts.webhookTimeoutMs) });
      // The body is not needed; drain it so the connection can be reused.
      await res.arrayBuffer().catch(() => undefined);
      return res.status;
    },
    close: () => mailer?.close(),
  };
}
