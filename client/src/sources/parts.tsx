/** Parts both Sources pages use: the status badge, a URL with a copy button, and the next steps for a platform. */
import { useRef, useState } from 'react';
import { PLATFORM_INFO, type Platform, type SourceSummary } from '../../../shared/sources.js';
import { STATUS_WORDS, type SourceStatus } from './words.js';

export function StatusBadge({ status }: { status: SourceStatus }) {
  const w = STATUS_WORDS[status];
  return (
    <span className={`source-status source-status-${status}`} title={w.explain} data-testid="source-status">
      <span aria-hidden="true">{w.icon}</span> {w.text}
    </span>
  );
}

/** A URL to paste into the platform's console: shown whole, selectable, with a copy button that says it copied. */
export function CopyField({ label, value, testId }: { label: string; value: string; testId?: string }) {
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<'yes' | 'select' | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied('yes');
    } catch {
      // No clipboard (an insecure origin, a refused permission): select it for Ctrl+C instead.
      input.current?.select();
      setCopied('select');
    }
  };
  return (
    <div className="copy-field">
      <label>
        {label}
        <span className="copy-row">
          <input ref={input} readOnly value={value} onFocus={(e) => e.currentTarget.select()} data-testid={testId} spellCheck={false} />
          <button type="button" className="secondary" onClick={() => void copy()} aria-label={`Copy ${label}`}>
            Copy
          </button>
        </span>
      </label>
      <span className="muted small-inline" role="status">
        {copied === 'yes' ? 'Copied.' : copied === 'select' ? 'Selected: press Ctrl+C (⌘C) to copy.' : ''}
      </span>
    </div>
  );
}

/** The push endpoints of a source, each with what it is for and a copy button. */
export function Endpoints({ source }: { source: Pick<SourceSummary, 'platform' | 'endpoints'> }) {
  const info = PLATFORM_INFO[source.platform];
  if (source.endpoints.length === 0) return null;
  return (
    <div className="endpoints" data-testid="endpoints">
      {source.endpoints.map((e) => (
        <div key={e.endpoint} className="endpoint">
          <CopyField label={e.label} value={e.url} testId={`endpoint-url-${e.endpoint}`} />
          <p className="muted small-inline">{info.endpoints?.find((x) => x.endpoint === e.endpoint)?.help}</p>
        </div>
      ))}
    </div>
  );
}

/** What to do in the platform's console next, in its own words (the full guide is the platform's README section). */
export const NEXT_STEPS: Record<Platform, string[]> = {
  connect: [
    'In the Amazon Data Firehose console, create a Firehose stream with the destination “HTTP Endpoint”: paste the Kinesis Data Firehose URL above as its HTTP endpoint URL, and the access key you entered here as its access key.',
    'In the Amazon Connect console, open your instance’s Data streaming settings, turn data streaming on and send contact trace records (and agent events) to that Firehose stream.',
    'For contact events, Contact Lens and evaluations: create an EventBridge rule whose target is an API destination with the EventBridge URL above, sending the access key as the X-Frontline-Source-Key header.',
    'As records arrive, the source’s Mapping tab lists the queues and agents they name: map them to Frontline’s (“Match queues and agents by name” does most of it).',
  ],
  twilio: [
    'In the Twilio Console, open TaskRouter → Workspaces → your Flex workspace → Settings, and paste the TaskRouter URL above as its Event Callback URL.',
    'Or, with Event Streams: create a Webhook sink with the Event Streams URL above and subscribe it to the TaskRouter events.',
    'Every callback is verified with the auth token (X-Twilio-Signature); the URL must be the one shown here, exactly.',
    'As records arrive, the source’s Mapping tab lists the TaskQueues and workers they name: map them to Frontline’s queues and agents.',
  ],
  genesys: [
    'In Genesys Cloud, under Admin → Integrations → OAuth, add a client with the grant type “Client Credentials” and a role that may read conversation details, users and queues; paste its client id and secret here.',
    'Press “Test connection” on the source’s page: it signs in and reads the first page of conversations.',
    'Frontline then polls on the interval you set, from where it left off; map its queues and agents on the Mapping tab.',
  ],
  zendesk: [
    'In Zendesk Admin Center, under Apps and integrations → APIs, turn API token access on (API configuration) and add an API token (API tokens); paste it here with an admin’s email.',
    'Press “Test connection” on the source’s page: it reads the first page of tickets.',
    'Frontline then polls on the interval you set, from where it left off; map its groups and agents on the Mapping tab.',
  ],
};

export function NextSteps({ platform }: { platform: Platform }) {
  return (
    <ol className="next-steps" data-testid="next-steps">
      {NEXT_STEPS[platform].map((s) => (
        <li key={s}>{s}</li>
      ))}
    </ol>
  );
}
