/**
 * Personal data in free text is masked on the way in (issue 7, voice of the customer): a survey comment, complaint
 * summary or QA note is stored with emails, phone numbers, card numbers and UK postcodes already replaced, so the
 * unmasked text is never written anywhere. The content hash stays that of the event as sent (see the ingest row), so
 * a re-send is still recognised as a duplicate.
 */
import { FREE_TEXT_FIELDS, type FrontlineEvent } from '../../shared/events.js';
import { maskPersonalData } from '../../shared/mask.js';

/** The event with its free text masked, or undefined when there was nothing to mask. */
export function maskIncoming(event: FrontlineEvent): FrontlineEvent | undefined {
  const fields = FREE_TEXT_FIELDS[event.type];
  if (!fields) return undefined;
  let copy: Record<string, unknown> | undefined;
  const rec = event as unknown as Record<string, unknown>;
  for (const f of fields) {
    const v = rec[f];
    if (typeof v !== 'string') continue;
    const masked = maskPersonalData(v);
    if (masked === v) continue;
    copy ??= { ...rec };
    copy[f] = masked;
  }
  return copy as FrontlineEvent | undefined;
}
