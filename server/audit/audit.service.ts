/**
 * The security and audit trail: sign-ins and failures, role and account changes, key use, display pairing,
 * erasure, who opened which coaching case. Each entry goes to the structured log (stdout, for shipping to a
 * separate system) and to the audit_log table (for the admin page). Entries never hold a secret or a customer's
 * personal data; targets are ids.
 */
import type { AuditRecord } from '../../shared/api.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/db.js';

export type AuditOutcome = 'success' | 'failure' | 'denied' | 'locked';

export interface AuditEntry {
  actor: string;
  action: string;
  target?: string | null;
  outcome?: AuditOutcome;
  ip?: string | null;
  details?: Record<string, unknown>;
}

export type { AuditRecord };

/** Strips control characters so a crafted username cannot forge log lines (ASVS 16.4.1). */
function clean(text: string | null | undefined, max = 300): string | null {
  if (text === null || text === undefined) return null;
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]/g, '?').slice(0, max);
}

export class AuditService {
  private readonly log: Logger;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    logger: Logger,
  ) {
    this.log = logger.child({ log: 'security' });
  }

  async record(e: AuditEntry): Promise<void> {
    const at = this.clock.now();
    const outcome = e.outcome ?? 'success';
    const entry = {
      at_ms: at,
      actor: clean(e.actor, 200) ?? 'anonymous',
      action: clean(e.action, 64) ?? 'unknown',
      target: clean(e.target),
      outcome,
      ip: clean(e.ip, 64),
      details: JSON.stringify(e.details ?? {}),
    };
    const level = outcome === 'success' ? 'info' : 'warn';
    this.log[level]({ event: entry.action, actor: entry.actor, target: entry.target, outcome, ip: entry.ip, ...e.details }, `audit: ${entry.action} ${outcome}`);
    try {
      await this.store.db.insertInto('audit_log').values(entry).execute();
    } catch (err) {
      // The structured log line above already carries the entry; losing the table row must not fail the request.
      this.log.error({ err, event: entry.action }, 'audit entry could not be stored');
    }
  }

  async list(opts: { limit: number; beforeId?: number; action?: string; actor?: string }): Promise<AuditRecord[]> {
    let q = this.store.db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(opts.limit);
    if (opts.beforeId !== undefined) q = q.where('id', '<', opts.beforeId);
    if (opts.action) q = q.where('action', '=', opts.action);
    if (opts.actor) q = q.where('actor', '=', opts.actor);
    const rows = await q.execute();
    return rows.map((r) => ({
      id: Number(r.id),
      at: new Date(Number(r.at_ms)).toISOString(),
      actor: r.actor,
      action: r.action,
      target: r.target,
      outcome: r.outcome,
      ip: r.ip,
      details: JSON.parse(r.details) as Record<string, unknown>,
    }));
  }
}
