/**
 * The service standards criteria check: the organisation's own words and where they are written. Admins and managers
 * add, change and retire them; others read. A retired standard stays on the cards already published with it.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { StandardView } from '../../../shared/qa-scorecard-api.js';
import { api, errText } from '../api/http.js';
import { qaKeys, useStandards } from './qa-api.js';

interface Fields {
  code: string;
  title: string;
  source: string;
}

const bodyOf = (f: Fields) => ({ code: f.code, title: f.title, ...(f.source.trim() ? { source: f.source } : {}) });

function StandardFields({ f, set, idPrefix }: { f: Fields; set: (f: Fields) => void; idPrefix: string }) {
  return (
    <div className="row">
      <label>
        Code
        <input value={f.code} onChange={(e) => set({ ...f, code: e.target.value })} size={10} placeholder="CS-3" aria-label={`${idPrefix} code`} />
      </label>
      <label className="grow">
        Title
        <input value={f.title} onChange={(e) => set({ ...f, title: e.target.value })} aria-label={`${idPrefix} title`} />
      </label>
      <label className="grow">
        Source (optional)
        <input value={f.source} onChange={(e) => set({ ...f, source: e.target.value })} placeholder="Complaints policy 2.1" aria-label={`${idPrefix} source`} />
      </label>
    </div>
  );
}

/** "Add a standard" beside a criterion: creates it and hands it back to be picked. Not a form (it sits in one). */
export function NewStandardInline({ onAdded }: { onAdded: (s: StandardView) => void }) {
  const qc = useQueryClient();
  const [f, setF] = useState<Fields>({ code: '', title: '', source: '' });
  const add = useMutation({
    mutationFn: async () => (await api<{ standard: StandardView }>('/api/v1/qa/standards', { method: 'POST', body: bodyOf(f) })).standard,
    onSuccess: (s) => {
      void qc.invalidateQueries({ queryKey: qaKeys.standards });
      onAdded(s);
    },
  });
  return (
    <div className="qa-inline-standard" role="group" aria-label="New standard">
      <StandardFields f={f} set={setF} idPrefix="New standard" />
      {errText(add.error) ? <p className="error">{errText(add.error)}</p> : null}
      <button type="button" className="secondary" disabled={add.isPending} onClick={() => add.mutate()}>
        Add and use this standard
      </button>
    </div>
  );
}

export function StandardsPanel({ canEdit }: { canEdit: boolean }) {
  const qc = useQueryClient();
  const standards = useStandards();
  const [editing, setEditing] = useState<string | null>(null);
  const [f, setF] = useState<Fields>({ code: '', title: '', source: '' });
  const [showRetired, setShowRetired] = useState(false);
  const done = () => {
    void qc.invalidateQueries({ queryKey: qaKeys.standards });
    setEditing(null);
    setF({ code: '', title: '', source: '' });
  };
  const save = useMutation({
    mutationFn: () => api(editing ? `/api/v1/qa/standards/${encodeURIComponent(editing)}` : '/api/v1/qa/standards', { method: editing ? 'PUT' : 'POST', body: bodyOf(f) }),
    onSuccess: done,
  });
  const retire = useMutation({ mutationFn: (id: string) => api(`/api/v1/qa/standards/${encodeURIComponent(id)}/retire`, { method: 'POST' }), onSuccess: done });
  const shown = (standards.data ?? []).filter((s) => showRetired || s.retiredAt === null);
  return (
    <section className="panel" aria-labelledby="standards-heading">
      <h2 id="standards-heading">Standards</h2>
      <p className="muted small-inline">Each criterion checks one of these: the service standard it monitors against.</p>
      <label className="check">
        <input type="checkbox" checked={showRetired} onChange={(e) => setShowRetired(e.target.checked)} />
        Show retired standards
      </label>
      <table>
        <thead>
          <tr>
            <th>Code</th>
            <th>Standard</th>
            {canEdit ? <th /> : null}
          </tr>
        </thead>
        <tbody>
          {shown.map((s) => (
            <tr key={s.id}>
              <td className="qa-nowrap">{s.code}</td>
              <td>
                {s.title}
                {s.source ? <span className="muted"> · {s.source}</span> : null}
                {s.retiredAt ? <span className="muted"> · retired</span> : null}
              </td>
              {canEdit ? (
                <td className="actions">
                  {s.retiredAt === null ? (
                    <>
                      <button type="button" className="link" aria-label={`Edit ${s.code}`} onClick={() => (setEditing(s.id), setF({ code: s.code, title: s.title, source: s.source ?? '' }))}>
                        Edit
                      </button>
                      <button type="button" className="link danger-link" aria-label={`Retire ${s.code}`} onClick={() => retire.mutate(s.id)}>
                        Retire
                      </button>
                    </>
                  ) : null}
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
      {shown.length === 0 ? <p className="muted">No standards yet{canEdit ? ': add one below, or start a scorecard from a template' : ''}.</p> : null}
      {canEdit ? (
        <form
          className="form"
          aria-label={editing ? 'Change standard' : 'Add a standard'}
          onSubmit={(e) => {
            e.preventDefault();
            save.mutate();
          }}
        >
          <h3>{editing ? 'Change standard' : 'Add a standard'}</h3>
          <StandardFields f={f} set={setF} idPrefix="Standard" />
          {errText(save.error ?? retire.error) ? <p className="error">{errText(save.error ?? retire.error)}</p> : null}
          <div className="row">
            <button type="submit" disabled={save.isPending}>
              {editing ? 'Save standard' : 'Add standard'}
            </button>
            {editing ? (
              <button type="button" className="secondary" onClick={done}>
                Cancel
              </button>
            ) : null}
          </div>
        </form>
      ) : null}
    </section>
  );
}
