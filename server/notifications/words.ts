/** Emails: plain text and HTML, the subject saying what happened and where, and a link to the page. */
import type { NotificationKind } from '../../shared/notifications.js';
import type { EmailMessage } from './transports.js';

/** What the outbox keeps for a notice: the webhook's event, and the words and link for email. */
export interface StoredNotice {
  envelope: { type: NotificationKind | 'test'; id: string; time: string; data: Record<string, unknown> };
  headline: string;
  details: string[];
  /** Path of the page to open, relative to PUBLIC_URL. */
  link: string;
}

const FOOTER = 'You get this because of your notification settings in Frontline (Account, Notifications).';

export function singleEmail(n: StoredNotice, publicUrl: string): Omit<EmailMessage, 'to'> {
  const url = publicUrl + n.link;
  return {
    subject: `[Frontline] ${n.headline}`,
    text: [n.headline, '', ...n.details, '', `Open: ${url}`, '', FOOTER].join('\n'),
    html: page(`<h1 style="font-size:18px">${esc(n.headline)}</h1>${n.details.map((d) => `<p>${esc(d)}</p>`).join('')}<p><a href="${esc(url)}">Open in Frontline</a></p>`),
  };
}

/** Several notices in one email (a digest, or what quiet hours held), oldest first. */
export function digestEmail(ns: StoredNotice[], publicUrl: string): Omit<EmailMessage, 'to'> {
  const sorted = [...ns].sort((a, b) => a.envelope.time.localeCompare(b.envelope.time));
  const first = sorted[0];
  const subject = sorted.length === 1 && first ? `[Frontline] Digest: ${first.headline}` : `[Frontline] Digest: ${sorted.length} notifications`;
  return {
    subject,
    text: [`${sorted.length} notification${sorted.length === 1 ? '' : 's'}:`, '', ...sorted.flatMap((n) => [`- ${n.envelope.time.slice(0, 16).replace('T', ' ')} UTC  ${n.headline}`, `  ${publicUrl + n.link}`]), '', FOOTER].join('\n'),
    html: page(`<h1 style="font-size:18px">${sorted.length} notification${sorted.length === 1 ? '' : 's'}</h1><ul>${sorted.map((n) => `<li>${esc(n.envelope.time.slice(0, 16).replace('T', ' '))} UTC: <a href="${esc(publicUrl + n.link)}">${esc(n.headline)}</a></li>`).join('')}</ul>`),
  };
}

function page(body: string): string {
  return `<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#1b1f24">${body}<p style="color:#59636e;font-size:12px">${esc(FOOTER)}</p></body></html>`;
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}
