/**
 * The evidence an initiative opens with (DOMAIN.md section 2: numbers never stand alone, no action without evidence):
 * the review KPIs for its scope over the whole local days before the day it was opened, each with n, and the comment
 * themes of the same days with one masked comment each (masked as stored; server/voc). Frozen when it is opened.
 */
import { TZDate } from '@date-fns/tz';
import { addDays, startOfDay } from 'date-fns';
import type { Scope } from '../../shared/access.js';
import type { Directory } from '../../shared/directory.js';
import { INITIATIVE_KPIS, type InitiativeEvidence } from '../../shared/initiatives.js';
import type { KpiService } from '../kpi/kpi.service.js';
import { filterForScope, type VocService } from '../voc/voc.service.js';

export const EVIDENCE_DAYS = 28;

export async function gatherEvidence(kpis: KpiService, voc: VocService, scope: Scope, scopeText: string, dir: Directory, nowMs: number): Promise<InitiativeEvidence> {
  const tz = kpis.zoneOf(scopeText);
  const today = startOfDay(new TZDate(nowMs, tz));
  const fromMs = addDays(today, -EVIDENCE_DAYS).getTime();
  const toMs = today.getTime();
  const [figures, themes] = await Promise.all([kpis.query(scopeText, fromMs, toMs), voc.themes(scopeText, filterForScope(scope, dir), fromMs, toMs)]);
  return {
    from: new Date(fromMs).toISOString(),
    to: new Date(toMs).toISOString(),
    days: EVIDENCE_DAYS,
    kpis: INITIATIVE_KPIS.map((k) => ({ kpi: k, value: figures[k].value, n: figures[k].n })),
    comments: themes.comments,
    themes: themes.themes
      .filter((t) => t.count > 0)
      .slice(0, 5)
      .map((t) => ({ id: t.id, label: t.label, count: t.count, share: t.share, negativeShare: t.negativeShare, example: t.examples[0]?.text ?? null, exampleContactId: t.examples[0]?.contactId ?? null })),
  };
}
