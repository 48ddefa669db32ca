/**
 * Authoring service standards and versioned scorecards (issue 19, part 1). The zod schemas in shared/qa.ts check a
 * card's shape; this adds what needs the store: every criterion checks a standard that exists and is in use. Every
 * change is written to the audit trail. Who may do it is the routes' business (function-level audiences).
 */
import type { Channel } from '../../shared/channels.js';
import type { ScorecardDefinition, StandardInput } from '../../shared/qa.js';
import type { ScorecardDetail, ScorecardSummaryView, ScorecardVersionView, StandardView, TemplateDraft } from '../../shared/qa-scorecard-api.js';
import { definitionFromTemplate, SCORECARD_TEMPLATES, standardIssues } from '../../shared/qa-templates.js';
import type { AuditService } from '../audit/audit.service.js';
import type { Clock } from '../clock.js';
import { ScorecardConflict, type ScorecardStore } from './scorecard.store.js';

/** A card the schema accepts but the store does not: the same { path, reason } list as a 400 from zod. */
export class ScorecardInvalid extends Error {
  constructor(readonly details: { path: string; reason: string }[]) {
    super(`the scorecard is invalid: ${details[0]?.path ?? ''} ${details[0]?.reason ?? ''}`.trim());
  }
}

export interface Who {
  actor: string;
  ip: string | null;
}

export class ScorecardService {
  constructor(
    private readonly store: ScorecardStore,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  standards(includeRetired: boolean): Promise<StandardView[]> {
    return this.store.standards(includeRetired);
  }

  async addStandard(input: StandardInput, who: Who): Promise<StandardView> {
    const s = await this.store.addStandard(input, who.actor, this.clock.now());
    await this.audit.record({ actor: who.actor, action: 'qa.standard.create', target: `qa-standard:${s.id}`, ip: who.ip, details: { code: s.code } });
    return s;
  }

  async updateStandard(id: string, input: StandardInput, who: Who): Promise<StandardView> {
    const s = await this.store.updateStandard(id, input);
    await this.audit.record({ actor: who.actor, action: 'qa.standard.update', target: `qa-standard:${id}`, ip: who.ip, details: { code: s.code } });
    return s;
  }

  async retireStandard(id: string, who: Who): Promise<void> {
    await this.store.retireStandard(id, this.clock.now());
    await this.audit.record({ actor: who.actor, action: 'qa.standard.retire', target: `qa-standard:${id}`, ip: who.ip });
  }

  scorecards(includeRetired: boolean): Promise<ScorecardSummaryView[]> {
    return this.store.scorecards(includeRetired);
  }

  /** The card, its current definition and its version history (newest first). */
  async scorecard(id: string): Promise<ScorecardDetail> {
    const scorecard = await this.store.scorecard(id);
    const current = scorecard ? await this.store.version(id, scorecard.currentVersion) : undefined;
    if (!scorecard || !current) throw new ScorecardConflict('not_found', `no scorecard '${id}'`);
    return { scorecard, current, versions: await this.store.versions(id) };
  }

  async version(id: string, version: number): Promise<ScorecardVersionView> {
    const v = await this.store.version(id, version);
    if (!v) throw new ScorecardConflict('not_found', `scorecard '${id}' has no version ${version}`);
    return v;
  }

  async create(input: { name: string; description: string; channels: Channel[]; definition: ScorecardDefinition }, who: Who): Promise<ScorecardSummaryView> {
    await this.checkStandards(input.definition);
    const card = await this.store.create(input, who.actor, this.clock.now());
    await this.audit.record({ actor: who.actor, action: 'qa.scorecard.create', target: `qa-scorecard:${card.id}`, ip: who.ip, details: { name: card.name, version: 1 } });
    return card;
  }

  async publish(id: string, expected: number, definition: ScorecardDefinition, changeNote: string, who: Who): Promise<ScorecardSummaryView> {
    const card = await this.store.scorecard(id);
    if (!card) throw new ScorecardConflict('not_found', `no scorecard '${id}'`);
    if (card.retiredAt !== null) throw new ScorecardConflict('version_conflict', 'the scorecard is retired: it takes no new versions');
    await this.checkStandards(definition);
    const next = await this.store.publish(id, expected, definition, changeNote, who.actor, this.clock.now());
    await this.audit.record({ actor: who.actor, action: 'qa.scorecard.publish', target: `qa-scorecard:${id}`, ip: who.ip, details: { version: next.currentVersion, changeNote } });
    return next;
  }

  async retire(id: string, who: Who): Promise<void> {
    await this.store.retire(id, this.clock.now());
    await this.audit.record({ actor: who.actor, action: 'qa.scorecard.retire', target: `qa-scorecard:${id}`, ip: who.ip });
  }

  /**
   * Starts a card from a template: its standards are created where no standard has the code yet, and reused where
   * one in use does. A retired standard with the code is not revived: those criteria come back without a standard,
   * listed in `unlinked`, for the author to pick one.
   */
  async useTemplate(templateId: string, who: Who): Promise<TemplateDraft> {
    const t = SCORECARD_TEMPLATES.find((x) => x.id === templateId);
    if (!t) throw new ScorecardConflict('not_found', `no template '${templateId}'`);
    const all = await this.store.standards(true);
    const ids = new Map<string, string>();
    const created: StandardView[] = [];
    const unlinked: string[] = [];
    for (const ts of t.standards) {
      const have = all.find((s) => s.code === ts.code);
      if (have && have.retiredAt === null) ids.set(ts.code, have.id);
      else if (have) unlinked.push(ts.code);
      else {
        const s = await this.addStandard({ code: ts.code, title: ts.title, ...(ts.source ? { source: ts.source } : {}), ...(ts.description ? { description: ts.description } : {}) }, who);
        created.push(s);
        ids.set(ts.code, s.id);
      }
    }
    return { name: t.name, description: t.description, channels: t.channels, definition: definitionFromTemplate(t, (code) => ids.get(code)), created, unlinked };
  }

  private async checkStandards(def: ScorecardDefinition): Promise<void> {
    const issues = standardIssues(def, await this.store.standards(true));
    if (issues.length > 0) throw new ScorecardInvalid(issues.map((i) => ({ path: i.path.join('.'), reason: i.message })));
  }
}
