/** A real SMTP server (smtp-server) on a loopback port that keeps what it receives, and a small reader for the mail. */
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string[];
  raw: string;
  subject: string;
  text: string;
  html: string;
}

export interface MailSink {
  url: string;
  mails: ReceivedMail[];
  close(): Promise<void>;
}

export async function startMailSink(): Promise<MailSink> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw, ...readMail(raw) });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.server.address();
  if (typeof address !== 'object' || address === null) throw new Error('the SMTP test server has no address');
  return { url: `smtp://127.0.0.1:${address.port}`, mails, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Subject, plain-text and HTML parts of a MIME message as nodemailer writes it (7bit or quoted-printable parts). */
export function readMail(raw: string): { subject: string; text: string; html: string } {
  const [head = '', ...rest] = raw.split(/\r?\n\r?\n/);
  const headers = head.replace(/\r?\n[ \t]+/g, ' ');
  const subject = /^Subject: (.*)$/im.exec(headers)?.[1] ?? '';
  const body = rest.join('\n\n');
  const part = (type: string): string => {
    const m = new RegExp(`Content-Type: ${type}[^]*?\\r?\\n\\r?\\n([^]*?)\\r?\\n--`, 'i').exec(body);
    if (!m) return '';
    const qp = new RegExp(`Content-Type: ${type}[^]*?Content-Transfer-Encoding: quoted-printable`, 'i').test(body.slice(0, (m.index ?? 0) + 300));
    const content = m[1] ?? '';
    return qp ? content.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_s, h: string) => String.fromCharCode(parseInt(h, 16))) : content;
  };
  return { subject, text: part('text/plain'), html: part('text/html') };
}
