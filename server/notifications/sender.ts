/**
 * The sender loop: claims due outbox rows, sends them, and records every attempt in the delivery log (status, HTTP
 * status or SMTP reply, duration, error). A failure is retried with exponential backoff and jitter up to
 * `maxAttempts`, then the row is marked failed and stays visible on the admin page. Digest rows due for one person
 * go out together as one email. Runs on the leader only (a cluster duty); the lease in Outbox.claim makes a second
 * sender harmless anyway.
 */
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/db.js';
import type { Outbox} from './outbox.js';
import { type AttemptRecord, type OutboxRow } from './outbox.js';
import { retryDelayMs } from './schedule.js';
import { signatureHeader } from './signature.js';
import type { EmailMessage, Transports } from './transports.js';
import { digestEmail, singleEmail, type StoredNotice } from './words.js';

export interface SenderOptions {
  maxAttempts: number;
  retryBaseMs: number;
  retryCapMs: number;
  publicUrl: string;
  pollMs: number;
  /** How long a claimed row is left to its sender before another may take it (longer than any send). */
  leaseMs?: number;
  batch?: number;
}

export class NotificationSender {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> = Promise.resolve(0);

  constructor(
    private readonly store: Store,
    private readonly outbox: Outbox,
    private readonly transports: Transports,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly opts: SenderOptions,
  ) {}

  start(): void {
    this.stop();
    this.timer = setInterval(() => void this.run().catch((err: unknown) => this.logger.error({ err }, 'notification sender failed')), this.opts.pollMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Resolves when a run in flight has finished (shutdown). */
  async idle(): Promise<void> {
    await this.running.catch(() => undefined);
  }

  /** Sends what is due now; runs one at a time (a call during a run waits for it, then runs). Returns rows settled. */
  run(): Promise<number> {
    this.running = this.running.catch(() => 0).then(() => this.sendDue());
    return this.running;
  }

  private async sendDue(): Promise<number> {
    const now = this.clock.now();
    const due = await this.outbox.due(now, this.opts.batch ?? 100);
    let settled = 0;
    const digests = new Map<string, OutboxRow[]>();
    for (const row of due) {
      if (row.digest !== null && row.channel === 'email') {
        const list = digests.get(row.recipient) ?? [];
        list.push(row);
        digests.set(row.recipient, list);
        continue;
      }
      if (!(await this.outbox.claim(row.id, now, this.lease()))) continue;
      const attempt = await this.deliver(row);
      await this.settle([row], attempt);
      settled++;
    }
    for (const rows of digests.values()) {
      const claimed: OutboxRow[] = [];
      for (const r of rows) if (await this.outbox.claim(r.id, now, this.lease())) claimed.push(r);
      if (claimed.length === 0) continue;
      const attempt = await this.sendEmail(claimed[0]?.address ?? '', digestEmail(claimed.map(notice), this.opts.publicUrl));
      await this.settle(claimed, attempt);
      settled += claimed.length;
    }
    return settled;
  }

  private lease(): number {
    return this.opts.leaseMs ?? 120_000;
  }

  private async settle(rows: OutboxRow[], attempt: AttemptRecord): Promise<void> {
    const at = this.clock.now();
    for (const row of rows) {
      const failures = Number(row.attempts) + 1;
      const retryAt = attempt.status === 'delivered' || failures >= this.opts.maxAttempts ? null : at + retryDelayMs(failures, this.opts.retryBaseMs, this.opts.retryCapMs);
      await this.outbox.settle(row.id, at, attempt, retryAt);
      if (attempt.status === 'error') this.logger.warn({ outboxId: row.id, kind: row.kind, attempt: failures, error: attempt.error, givenUp: retryAt === null }, 'notification delivery failed');
    }
  }

  private async deliver(row: OutboxRow): Promise<AttemptRecord> {
    const n = notice(row);
    if (row.channel === 'email') return this.sendEmail(row.address, singleEmail(n, this.opts.publicUrl));
    const endpointId = row.recipient.replace(/^endpoint:/, '');
    const endpoint = await this.store.db.selectFrom('notification_endpoints').select(['secret', 'disabled_ms']).where('id', '=', endpointId).executeTakeFirst();
    if (!endpoint?.secret || endpoint.disabled_ms !== null) return { status: 'error', reply: null, durationMs: 0, error: 'the webhook was removed or disabled' };
    const body = JSON.stringify({ ...n.envelope, data: { ...n.envelope.data, link: this.opts.publicUrl + n.link } });
    const headers = {
      'X-Frontline-Event': n.envelope.type,
      'X-Frontline-Delivery': row.id,
      'X-Frontline-Signature': signatureHeader(endpoint.secret, body, Math.floor(this.clock.now() / 1000)),
    };
    const started = performance.now();
    try {
      const status = await this.transports.webhook(row.address, headers, body);
      const durationMs = Math.round(performance.now() - started);
      return status >= 200 && status < 300 ? { status: 'delivered', reply: String(status), durationMs, error: null } : { status: 'error', reply: String(status), durationMs, error: `the receiver answered HTTP ${status}` };
    } catch (err) {
      return { status: 'error', reply: null, durationMs: Math.round(performance.now() - started), error: describe(err) };
    }
  }

  private async sendEmail(to: string, m: Omit<EmailMessage, 'to'>): Promise<AttemptRecord> {
    const send = this.transports.email;
    if (!send) return { status: 'error', reply: null, durationMs: 0, error: 'email is not configured on this server (SMTP_URL)' };
    const started = performance.now();
    try {
      const reply = await send({ ...m, to });
      return { status: 'delivered', reply: reply.slice(0, 500), durationMs: Math.round(performance.now() - started), error: null };
    } catch (err) {
      const e = err as { response?: string };
      return { status: 'error', reply: e.response?.slice(0, 500) ?? null, durationMs: Math.round(performance.now() - started), error: describe(err) };
    }
  }
}

function notice(row: OutboxRow | undefined): StoredNotice {
  if (!row) throw new Error('no outbox row');
  return JSON.parse(row.payload) as StoredNotice;
}

function describe(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return 'timed out waiting for the receiver';
  const cause = e.cause?.code ?? e.cause?.message;
  return `${e.message ?? String(err)}${cause ? ` (${cause})` : ''}`.slice(0, 500);
}
