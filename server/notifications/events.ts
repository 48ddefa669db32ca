/**
 * What a notification is about, and how it reads in an email. Webhooks receive the same event as JSON:
 * `{ type, id, time, data }` with `data` the fields below (and `link`, the page to open).
 */
import { assertNever } from '../../shared/events.js';

interface KpiStateData {
  scope: string;
  scopeName: string;
  kpi: string;
  kpiLabel: string;
  value: number | null;
  valueText: string;
  threshold: number;
  thresholdText: string;
  direction: 'up' | 'down';
  /** When the value first went off target (breach) or back (recovery); the notice waited until it held. */
  since: string;
}

interface CaseData {
  caseId: string;
  kpi: string;
  kpiLabel: string;
  /** The case's subject in words: "Ann (Billing)" or "team Billing". */
  subject: string;
  teamId: string | null;
  teamName: string | null;
  by: string;
}

interface SourceData {
  /** An ingest key's id, or a platform source's id (issue 16) when `platform` is set. */
  keyId: string;
  keyName: string;
  lastEventAt: string;
  silentMinutes: number;
  /** A platform source (Sources page): its platform's name, and why its polls fail when they do. */
  platform?: string;
  pollError?: string;
}

export type NotificationEvent =
  | { kind: 'kpi_breach' | 'kpi_recovered'; data: KpiStateData }
  | { kind: 'case_assigned' | 'follow_up_due'; data: CaseData }
  | { kind: 'dispute_raised'; data: CaseData & { comment: string | null } }
  | { kind: 'source_unhealthy' | 'source_healthy'; data: SourceData };


/** The page a notice links to, relative to PUBLIC_URL. */
export function linkPath(e: NotificationEvent): string {
  switch (e.kind) {
    case 'kpi_breach':
    case 'kpi_recovered':
      return `/explore?scope=${encodeURIComponent(e.data.scope)}`;
    case 'case_assigned':
    case 'follow_up_due':
    case 'dispute_raised':
      return `/cases/${encodeURIComponent(e.data.caseId)}`;
    case 'source_unhealthy':
    case 'source_healthy':
      return e.data.platform ? `/admin/sources/${encodeURIComponent(e.data.keyId)}` : '/admin/keys';
    default:
      return assertNever(e);
  }
}

/** One line saying what happened and where: the email subject, and a digest's line. */
export function headline(e: NotificationEvent): string {
  switch (e.kind) {
    case 'kpi_breach':
      return `${e.data.kpiLabel} off target for ${e.data.scopeName}: ${e.data.valueText} against ${e.data.thresholdText}`;
    case 'kpi_recovered':
      return `${e.data.kpiLabel} back on target for ${e.data.scopeName}: ${e.data.valueText} against ${e.data.thresholdText}`;
    case 'case_assigned':
      return `Case assigned to you: ${e.data.kpiLabel} for ${e.data.subject}`;
    case 'follow_up_due':
      return `Follow-up review due: ${e.data.kpiLabel} for ${e.data.subject}`;
    case 'dispute_raised':
      return `Case disputed: ${e.data.kpiLabel} for ${e.data.subject}`;
    case 'source_unhealthy':
      if (e.data.pollError) return `Data source failing: ${e.data.keyName} (${e.data.platform ?? 'platform'}) cannot be read`;
      return `Data source silent: ${e.data.keyName} has sent nothing for ${e.data.silentMinutes} minutes`;
    case 'source_healthy':
      return `Data source delivering again: ${e.data.keyName}`;
    default:
      return assertNever(e);
  }
}

/** A few plain sentences under the headline. */
export function details(e: NotificationEvent): string[] {
  switch (e.kind) {
    case 'kpi_breach':
      return [`Today's ${e.data.kpiLabel} for ${e.data.scopeName} is ${e.data.valueText}; the target is ${e.data.direction === 'up' ? 'at least' : 'at most'} ${e.data.thresholdText}.`, `Off target since ${e.data.since}.`];
    case 'kpi_recovered':
      return [`Today's ${e.data.kpiLabel} for ${e.data.scopeName} is ${e.data.valueText}, within its target of ${e.data.thresholdText} again.`, `Back since ${e.data.since}.`];
    case 'case_assigned':
      return [`${e.data.by} gave you the ${e.data.kpiLabel} case for ${e.data.subject}.`];
    case 'follow_up_due':
      return [`The follow-up date of the ${e.data.kpiLabel} case for ${e.data.subject} has passed: its before/after review is due.`];
    case 'dispute_raised':
      return [`The agent disputed the ${e.data.kpiLabel} case for ${e.data.subject}.`, ...(e.data.comment ? [`Their comment: "${e.data.comment}"`] : [])];
    case 'source_unhealthy': {
      const what = e.data.platform ? `The ${e.data.platform} source "${e.data.keyName}"` : `The ingest key "${e.data.keyName}"`;
      if (e.data.pollError) return [`${what} fails to poll: ${e.data.pollError}`, 'Nothing is lost: the next poll starts where the last stored page ended. Figures for the queues it feeds are incomplete until it reads again.'];
      return [`${what} delivered records until ${e.data.lastEventAt} and has been silent since.`, 'Figures for the queues it feeds are incomplete until it comes back.'];
    }
    case 'source_healthy':
      return [`${e.data.platform ? `The ${e.data.platform} source` : 'The ingest key'} "${e.data.keyName}" is delivering again (last at ${e.data.lastEventAt}).`];
    default:
      return assertNever(e);
  }
}
