/**
 * A source's dead letters: records it could not store, held with the reasons in words, the record's kind and key, when
 * it came and the record itself behind a disclosure. "Replay all" (or one) runs them through the mapping again and
 * says how many were stored and which are still rejected and why; "Discard" drops one for good.
 */
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import type { DeadLetter, ReplayReply, SourceSummary } from '../../../shared/sources.js';
import { api, errText } from '../api/http.js';
import { useNow } from '../coaching/case-words.js';
import { sourcePath, useDeadLetters, useRefreshSources } from './queries.js';
import { ago, count, plural, REASON_WORDS } from './words.js';

type Status = DeadLetter['status'];
const VIEWS: { status: Status; label: string }[] = [
  { status: 'held', label: 'Held' },
  { status: 'replayed', label: 'Replayed' },
  { status: 'discarded', label: 'Discarded' },
];

export function DeadLetters({ source, onMapping }: { source: SourceSummary; onMapping: () => void }) {
  const [status, setStatus] = useState<Status>('held');
  const list = useDeadLetters(source.id, status);
  const refresh = useRefreshSources();
  const [result, setResult] = useState<ReplayReply | null>(null);
  const replay = useMutation({
    mutationFn: (ids?: number[]) => api<{ ok: boolean } & ReplayReply>(sourcePath(source.id, '/dead-letters/replay'), { method: 'POST', body: ids ? { ids } : {} }),
    onSuccess: async (r) => {
      setResult(r);
      await refresh();
    },
  });
  const discard = useMutation({
    mutationFn: (ids: number[]) => api<{ ok: boolean; discarded: number }>(sourcePath(source.id, '/dead-letters/discard'), { method: 'POST', body: { ids } }),
    onSuccess: async () => {
      setResult(null);
      await refresh();
    },
  });
  const letters = list.data?.deadLetters ?? [];
  const total = list.data?.total ?? 0;
  const byId = new Map(letters.map((l) => [l.id, l]));
  return (
    <div className="dead-letters" data-testid="dead-letters">
      <div className="panel dead-letters-bar">
        <div className="row center" role="radiogroup" aria-label="Which dead letters">
          {VIEWS.map((v) => (
            <label key={v.status} className={`check view-choice${status === v.status ? ' chosen' : ''}`}>
              <input type="radio" name="dead-letter-view" checked={status === v.status} onChange={() => (setStatus(v.status), setResult(null))} />
              {v.label}
              {v.status === 'held' ? ` (${count(source.health.deadLetters)})` : ''}
            </label>
          ))}
        </div>
        {status === 'held' ? (
          <button type="button" onClick={() => replay.mutate(undefined)} disabled={replay.isPending || total === 0}>
            {replay.isPending ? 'Replaying…' : `Replay all${total > 0 ? ` (${count(total)})` : ''}`}
          </button>
        ) : null}
      </div>
      <p className="muted small-inline">
        A record the mapping did not cover waits here. Fix the mapping (the <button type="button" className="link" onClick={onMapping}>Mapping</button> tab lists the values that kept records out), then replay: the record goes through the mapping again, and stores as if it had just arrived.
      </p>
      {result ? <ReplayResult result={result} byId={byId} /> : null}
      {errText(replay.error ?? discard.error ?? list.error) ? <p className="error">{errText(replay.error ?? discard.error ?? list.error)}</p> : null}
      {list.data && letters.length === 0 ? (
        <p className="panel muted" data-testid="no-dead-letters">
          {status === 'held' ? 'No dead letters: every record this source sent was stored.' : `No ${status} dead letters.`}
        </p>
      ) : null}
      {letters.length > 0 ? (
        <section className="panel" aria-label={`${VIEWS.find((v) => v.status === status)?.label} dead letters`}>
          {total > letters.length ? <p className="muted small-inline">The newest {count(letters.length)} of {count(total)}.</p> : null}
          <ul className="letter-list">
            {letters.map((l) => (
              <Letter key={l.id} letter={l} busy={replay.isPending || discard.isPending} onReplay={() => replay.mutate([l.id])} onDiscard={() => discard.mutate([l.id])} />
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  );
}

function Letter({ letter: l, busy, onReplay, onDiscard }: { letter: DeadLetter; busy: boolean; onReplay: () => void; onDiscard: () => void }) {
  const now = useNow(30_000);
  const words = REASON_WORDS[l.reason];
  return (
    <li className={`letter letter-${l.status === 'held' ? l.reason : l.status}`} data-testid="dead-letter">
      <div className="letter-head">
        {l.status === 'held' ? (
          <span className="letter-reason">
            <span aria-hidden="true">✕ </span>
            {words.short}
          </span>
        ) : l.status === 'replayed' ? (
          <span className="letter-done">
            <span aria-hidden="true">✓ </span>Stored on replay <span className="muted">(was: {words.short.toLowerCase()})</span>
          </span>
        ) : (
          <span className="letter-gone">
            <span aria-hidden="true">— </span>Discarded <span className="muted">(was: {words.short.toLowerCase()})</span>
          </span>
        )}
        <span>
          <code>{l.kind}</code> <code className="letter-key">{l.recordKey}</code>
        </span>
        <span className="muted small-inline" title={new Date(l.receivedMs).toLocaleString('en-GB')}>
          received {ago(l.receivedMs, now)}
          {l.replayedMs ? `, replayed ${ago(l.replayedMs, now)}` : ''}
        </span>
        {l.status === 'held' ? (
          <span className="letter-actions">
            <button type="button" className="secondary small-button" onClick={onReplay} disabled={busy} aria-label={`Replay ${l.kind} ${l.recordKey}`}>
              Replay
            </button>
            <button type="button" className="danger small-button" onClick={onDiscard} disabled={busy} aria-label={`Discard ${l.kind} ${l.recordKey}`}>
              Discard
            </button>
          </span>
        ) : null}
      </div>
      <p className="small-inline letter-why">{l.status === 'held' ? `This record ${words.long}:` : `It was held because it ${words.past}:`}</p>
      <ul className="letter-reasons">
        {l.reasons.map((r) => (
          <li key={r}>{r}</li>
        ))}
      </ul>
      <details className="letter-record">
        <summary>The record as received</summary>
        {/* Scrolls when long: focusable, so a keyboard can scroll it too (WCAG 2.1.1). */}
        <pre tabIndex={0} aria-label={`${l.kind} ${l.recordKey} as received`}>
          {JSON.stringify(l.record, null, 2)}
        </pre>
      </details>
    </li>
  );
}

function ReplayResult({ result, byId }: { result: ReplayReply; byId: Map<number, DeadLetter> }) {
  const rejected = result.results.filter((r) => r.status === 'rejected');
  return (
    <div className={rejected.length > 0 ? 'notice' : 'ok-box'} role="status" data-testid="replay-result">
      <p>
        <strong>
          Replayed: {plural(result.replayed, 'record')} stored
          {result.stillRejected > 0 ? `, ${plural(result.stillRejected, 'record')} still rejected` : ''}.
        </strong>
      </p>
      {rejected.length > 0 ? (
        <ul>
          {rejected.map((r) => {
            const l = byId.get(r.id);
            return (
              <li key={r.id}>
                {l ? (
                  <>
                    <code>{l.kind}</code> <code>{l.recordKey}</code>
                  </>
                ) : (
                  `#${r.id}`
                )}
                : {(r.reasons ?? l?.reasons ?? ['no reason given']).join('; ')}
              </li>
            );
          })}
        </ul>
      ) : null}
    </div>
  );
}
