/**
 * Authoring a scorecard: sections, criteria (label, guidance, weight, critical, N/A allowed, met / not met or a 1–5
 * rating, the standard it checks), started blank or from a template. The live check runs the very schema the server
 * validates with (shared/qa.ts) and the same standards check (shared/qa-templates.ts), so what it lists is what the
 * server would answer. Publishing a card that exists sends the version read: someone else's newer version is a 409.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { CHANNELS } from '../../../shared/channels.js';
import type { Criterion, ScorecardDefinition } from '../../../shared/qa.js';
import type { StandardView, TemplateDraft } from '../../../shared/qa-scorecard-api.js';
import { api, errText } from '../api/http.js';
import { liveIssues, type Draft } from './live-check.js';
import { qaKeys, useStandards, useTemplates } from './qa-api.js';
import { NewStandardInline } from './StandardsPanel.js';

export type { Draft };

const blankCriterion = (n: number): Criterion => ({ key: `criterion-${n}`, label: '', guidance: '', weight: 10, critical: false, naAllowed: false, scale: 'met', standardId: '' });
export const BLANK: Draft = { name: '', description: '', channels: [], definition: { sections: [{ title: '', criteria: [blankCriterion(1)] }] } };
const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40);

export function ScorecardEditor({ start, scorecardId, version, onDone }: { start: Draft; scorecardId: string | null; version: number | null; onDone: () => void }) {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const standards = useStandards();
  const templates = useTemplates();
  const [d, setD] = useState<Draft>(start);
  const [note, setNote] = useState('');
  const [template, setTemplate] = useState('');
  const [notice, setNotice] = useState<string | null>(null);
  const inUse = (standards.data ?? []).filter((s) => s.retiredAt === null);
  const issues = liveIssues(d, standards.data ?? [], scorecardId === null ? null : { version: version ?? 1, changeNote: note });
  const setDef = (f: (def: ScorecardDefinition) => ScorecardDefinition) => setD({ ...d, definition: f(structuredClone(d.definition)) });

  const fromTemplate = useMutation({
    mutationFn: () => api<{ draft: TemplateDraft }>(`/api/v1/qa/templates/${encodeURIComponent(template)}/use`, { method: 'POST' }),
    onSuccess: ({ draft }) => {
      // The new standards are in the list before the draft that points at them, so the live check and the pickers
      // never see ids they do not know yet.
      qc.setQueryData<StandardView[]>(qaKeys.standards, (old) => [...(old ?? []), ...draft.created.filter((c) => !(old ?? []).some((o) => o.id === c.id))]);
      setD({ name: draft.name, description: draft.description, channels: draft.channels, definition: draft.definition });
      setNotice(`Started from “${draft.name}”. ${draft.created.length} standard${draft.created.length === 1 ? '' : 's'} added${draft.unlinked.length ? `; retired, pick another for: ${draft.unlinked.join(', ')}` : ''}.`);
      void qc.invalidateQueries({ queryKey: qaKeys.standards });
    },
  });
  const publish = useMutation({
    mutationFn: async () =>
      scorecardId === null
        ? (await api<{ scorecard: { id: string } }>('/api/v1/qa/scorecards', { method: 'POST', body: d })).scorecard.id
        : (await api<{ scorecard: { id: string } }>(`/api/v1/qa/scorecards/${encodeURIComponent(scorecardId)}/versions`, { method: 'POST', body: { version, definition: d.definition, changeNote: note } })).scorecard.id,
    onSuccess: (id) => {
      void qc.invalidateQueries({ queryKey: ['qa', 'scorecards'] });
      onDone();
      if (scorecardId === null) void navigate(`/qa/scorecards/${encodeURIComponent(id)}`);
    },
  });

  return (
    <form
      className="panel form"
      aria-label={scorecardId === null ? 'New scorecard' : 'New version'}
      onSubmit={(e) => {
        e.preventDefault();
        publish.mutate();
      }}
    >
      <h2>{scorecardId === null ? 'New scorecard' : `Version ${(version ?? 0) + 1}`}</h2>
      {scorecardId === null ? (
        <>
          <div className="row center">
            <label className="grow">
              Start from a template
              <select value={template} onChange={(e) => setTemplate(e.target.value)}>
                <option value="">Choose a template…</option>
                {(templates.data ?? []).map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.name}
                  </option>
                ))}
              </select>
            </label>
            <button type="button" className="secondary" disabled={template === '' || fromTemplate.isPending} onClick={() => fromTemplate.mutate()}>
              Use template
            </button>
          </div>
          {notice ? <p className="ok" role="status">{notice}</p> : null}
          <label>
            Name
            <input value={d.name} onChange={(e) => setD({ ...d, name: e.target.value })} required />
          </label>
          <label>
            Description
            <input value={d.description} onChange={(e) => setD({ ...d, description: e.target.value })} />
          </label>
          <fieldset>
            <legend>Channels (none ticked: any channel)</legend>
            <div className="row">
              {CHANNELS.map((c) => (
                <label key={c} className="check">
                  <input type="checkbox" checked={d.channels.includes(c)} onChange={(e) => setD({ ...d, channels: e.target.checked ? [...d.channels, c] : d.channels.filter((x) => x !== c) })} />
                  {c}
                </label>
              ))}
            </div>
          </fieldset>
        </>
      ) : null}
      {d.definition.sections.map((s, i) => (
        <fieldset key={i} className="qa-edit-section">
          <legend>Section {i + 1}</legend>
          <div className="row center">
            <label className="grow">
              Section title
              <input value={s.title} onChange={(e) => setDef((def) => ((def.sections[i]!.title = e.target.value), def))} />
            </label>
            <button type="button" className="link danger-link" disabled={d.definition.sections.length === 1} onClick={() => setDef((def) => ({ sections: def.sections.filter((_, k) => k !== i) }))}>
              Remove section {i + 1}
            </button>
          </div>
          {s.criteria.map((c, j) => (
            <CriterionEditor
              key={j}
              n={j + 1}
              c={c}
              standards={inUse}
              canRemove={s.criteria.length > 1}
              onChange={(next) => setDef((def) => ((def.sections[i]!.criteria[j] = next), def))}
              onRemove={() => setDef((def) => ((def.sections[i]!.criteria = def.sections[i]!.criteria.filter((_, k) => k !== j)), def))}
            />
          ))}
          <div className="row">
            <button type="button" className="secondary" onClick={() => setDef((def) => (def.sections[i]!.criteria.push(blankCriterion(def.sections.reduce((n, x) => n + x.criteria.length, 0) + 1)), def))}>
              Add a criterion to section {i + 1}
            </button>
          </div>
        </fieldset>
      ))}
      <div className="row">
        <button type="button" className="secondary" onClick={() => setDef((def) => ({ sections: [...def.sections, { title: '', criteria: [blankCriterion(def.sections.reduce((n, x) => n + x.criteria.length, 0) + 1)] }] }))}>
          Add a section
        </button>
      </div>
      {scorecardId !== null ? (
        <label>
          What changed
          <input value={note} onChange={(e) => setNote(e.target.value)} required minLength={3} />
        </label>
      ) : null}
      <div className="issues" role="status" aria-live="polite" hidden={issues.length === 0}>
        <strong>Check before publishing ({issues.length})</strong>
        <ul>
          {issues.slice(0, 12).map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      </div>
      {errText(publish.error ?? fromTemplate.error) ? <p className="error">{errText(publish.error ?? fromTemplate.error)}</p> : null}
      <div className="row">
        <button type="submit" disabled={publish.isPending || issues.length > 0}>
          {scorecardId === null ? 'Publish version 1' : `Publish version ${(version ?? 0) + 1}`}
        </button>
        <button type="button" className="secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function CriterionEditor({ n, c, standards, canRemove, onChange, onRemove }: { n: number; c: Criterion; standards: StandardView[]; canRemove: boolean; onChange: (c: Criterion) => void; onRemove: () => void }) {
  const [adding, setAdding] = useState(false);
  const name = c.label || `Criterion ${n}`;
  return (
    <fieldset className="qa-edit-criterion">
      <legend>{name}</legend>
      <div className="row">
        <label className="grow">
          Criterion
          <input value={c.label} onChange={(e) => onChange({ ...c, label: e.target.value, ...(c.key.startsWith('criterion-') || c.key === slug(c.label) ? { key: slug(e.target.value) || c.key } : {}) })} />
        </label>
        <label>
          Key
          <input value={c.key} onChange={(e) => onChange({ ...c, key: e.target.value })} size={14} aria-label={`${name}: key`} />
        </label>
        <label>
          Weight
          <input type="number" min={1} max={100} value={c.weight} onChange={(e) => onChange({ ...c, weight: Number(e.target.value) })} aria-label={`${name}: weight`} />
        </label>
      </div>
      <label>
        Guidance
        <textarea rows={2} value={c.guidance} onChange={(e) => onChange({ ...c, guidance: e.target.value })} aria-label={`${name}: guidance`} />
      </label>
      <div className="row center">
        <label>
          Answered as
          <select value={c.scale} onChange={(e) => onChange({ ...c, scale: e.target.value as Criterion['scale'] })} aria-label={`${name}: answered as`}>
            <option value="met">Met / not met</option>
            <option value="rating">Rating 1–5</option>
          </select>
        </label>
        <label className="check">
          <input type="checkbox" checked={c.critical} onChange={(e) => onChange({ ...c, critical: e.target.checked })} />
          Critical item
        </label>
        <label className="check">
          <input type="checkbox" checked={c.naAllowed} onChange={(e) => onChange({ ...c, naAllowed: e.target.checked })} />
          N/A allowed
        </label>
        <label className="grow">
          Standard it checks
          <select value={c.standardId} onChange={(e) => onChange({ ...c, standardId: e.target.value })} aria-label={`${name}: standard`}>
            <option value="">Pick a standard…</option>
            {standards.map((s) => (
              <option key={s.id} value={s.id}>
                {s.code}: {s.title}
              </option>
            ))}
          </select>
        </label>
        <button type="button" className="link" aria-expanded={adding} aria-label={`Add a standard for ${name}`} onClick={() => setAdding(!adding)}>
          Add a standard
        </button>
        {canRemove ? (
          <button type="button" className="link danger-link" aria-label={`Remove criterion: ${name}`} onClick={onRemove}>
            Remove criterion
          </button>
        ) : null}
      </div>
      {adding ? (
        <NewStandardInline
          onAdded={(s) => {
            onChange({ ...c, standardId: s.id });
            setAdding(false);
          }}
        />
      ) : null}
    </fieldset>
  );
}
