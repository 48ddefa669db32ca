/**
 * `npm run simulate -- --as connect|genesys|zendesk|twilio`: the simulated centre in a platform's own shapes (issue 16),
 * so the whole path from a platform record to a wall tile runs without the platform.
 *
 * - Push platforms (Amazon Connect, Twilio Flex) POST to a source's endpoint as the platform would: Firehose delivery
 *   requests with the access key; TaskRouter callbacks signed with the auth token over the endpoint URL.
 * - Pull platforms (Genesys Cloud, Zendesk) get a local stand-in of the platform's API, filled with the simulated
 *   centre; the command prints the credentials to paste on the Sources page, and the source polls it.
 *
 * History is sent first (`--days`, default 1, ending now); with `--live` the centre then runs on in real time, sending
 * what happened every `--every` seconds (10) until stopped. Each record is sent once.
 */
import type { Directory } from '../../shared/directory.js';
import type { FrontlineEvent } from '../../shared/events.js';
import type { Platform } from '../../shared/sources.js';
import { CentreSimulator } from '../simulator/index.js';
import { CONNECT_SIM_ACCOUNT, CONNECT_SIM_MAPPING, CONNECT_SIM_REGION, connectSimRecords, simUuid } from './connect/simulate.js';
import { genesysConversations, genesysEvaluations, genesysSimMapping, startGenesysStandIn } from './genesys/simulate.js';
import { twilioTaskRouterRequests } from './twilio/simulate.js';
import { ZENDESK_SIMULATOR_MAPPING, ZendeskSimulatedCentre, startZendeskStandIn } from './zendesk/simulate.js';

const DAY_MS = 86_400_000;

export interface SimulateAsOptions {
  platform: Platform;
  seed: number;
  days: number;
  endMs: number;
  live: boolean;
  everySeconds: number;
  /** Push: Frontline's base URL and the source's id; the credentials the source was given. */
  url?: string;
  sourceId?: string;
  accessKey?: string;
  authToken?: string;
  accountSid?: string;
  /** Pull: the stand-in's port (0: any free one) and the credentials it accepts. */
  port?: number;
  log: (line: string) => void;
  /** Stops a live run (tests); Ctrl-C otherwise. */
  signal?: AbortSignal;
}

export interface SimulateAsResult {
  records: number;
  requests: number;
  /** Pull: the stand-in's address and credentials; it serves until `close`. */
  standIn?: { baseUrl: string; credentials: Record<string, string>; close(): Promise<void> };
}

/** Runs the simulated centre as the platform; resolves after the history (and, live, after the signal stops it). */
export async function simulateAs(o: SimulateAsOptions): Promise<SimulateAsResult> {
  const sim = new CentreSimulator({ seed: o.seed, startMs: o.endMs - o.days * DAY_MS, scenarioWindowDays: o.days });
  const all: FrontlineEvent[] = [];
  const advance = (toMs: number) => {
    const batch = sim.advanceTo(toMs);
    all.push(...batch);
    return batch;
  };
  for (let d = 1; d <= o.days; d++) advance(Math.min(o.endMs, o.endMs - o.days * DAY_MS + d * DAY_MS));
  const feed = await platformFeed(o, sim.directory);
  let records = 0;
  let requests = 0;
  const send = async (batch: readonly FrontlineEvent[]) => {
    const r = await feed.send(batch, all);
    records += r.records;
    requests += r.requests;
  };
  await send(all);
  o.log(
    feed.standIn
      ? `${o.platform}: ${records.toLocaleString('en-GB')} records ready on the stand-in, ${o.days} simulated day(s) to ${new Date(o.endMs).toISOString()}`
      : `${o.platform}: ${records.toLocaleString('en-GB')} records in ${requests.toLocaleString('en-GB')} requests, ${o.days} simulated day(s) to ${new Date(o.endMs).toISOString()}`,
  );
  if (o.live) {
    o.log(`live: the centre runs on in real time, sending every ${o.everySeconds} s (Ctrl-C to stop)`);
    while (!o.signal?.aborted) {
      await new Promise((r) => setTimeout(r, o.everySeconds * 1000));
      await send(advance(Date.now()));
    }
  }
  return { records, requests, ...(feed.standIn ? { standIn: feed.standIn } : {}) };
}

interface Feed {
  /** Sends what `batch` adds (`all` is everything so far: some platforms' records span batches). */
  send(batch: readonly FrontlineEvent[], all: readonly FrontlineEvent[]): Promise<{ records: number; requests: number }>;
  standIn?: SimulateAsResult['standIn'];
}

async function platformFeed(o: SimulateAsOptions, directory: Directory): Promise<Feed> {
  switch (o.platform) {
    case 'connect': {
      const { url, sourceId, accessKey } = need(o, ['url', 'sourceId', 'accessKey']);
      const endpoint = pushUrl(url, sourceId, 'firehose');
      o.log(`posting to ${endpoint}; map the source's wrap-up codes as ${JSON.stringify(CONNECT_SIM_MAPPING.wrapCodes)}`);
      const sent = new Set<string>();
      return {
        async send(_batch, all) {
          // A contact record is written when its contact ends: every finished contact so far, each document once.
          const docs = connectSimRecords(all).map((r) => JSON.stringify(r.doc)).filter((d) => !sent.has(d));
          let requests = 0;
          for (let i = 0; i < docs.length; i += 500) {
            const chunk = docs.slice(i, i + 500);
            const requestId = simUuid('firehose-request', Date.now(), i);
            const body = JSON.stringify({ requestId, timestamp: Date.now(), records: chunk.map((d) => ({ data: Buffer.from(d).toString('base64') })) });
            await postWithRetry(endpoint, body, {
              'content-type': 'application/json',
              'x-amz-firehose-protocol-version': '1.0',
              'x-amz-firehose-request-id': requestId,
              'x-amz-firehose-source-arn': `arn:aws:firehose:${CONNECT_SIM_REGION}:${CONNECT_SIM_ACCOUNT}:deliverystream/frontline-connect`,
              'x-amz-firehose-access-key': accessKey,
            });
            for (const d of chunk) sent.add(d);
            requests++;
          }
          return { records: docs.length, requests };
        },
      };
    }
    case 'twilio': {
      const { url, sourceId, authToken, accountSid } = need(o, ['url', 'sourceId', 'authToken', 'accountSid']);
      const endpoint = pushUrl(url, sourceId, 'taskrouter');
      o.log(`posting signed TaskRouter callbacks to ${endpoint}`);
      const sent = new Set<string>();
      return {
        async send(_batch, all) {
          const fresh = twilioTaskRouterRequests([...all], { authToken, url: endpoint, accountSid }).filter((r) => !sent.has(r.body));
          for (const r of fresh) {
            await postWithRetry(endpoint, r.body, r.headers);
            sent.add(r.body);
          }
          return { records: fresh.length, requests: fresh.length };
        },
      };
    }
    case 'genesys': {
      const clientId = 'frontline-simulator';
      const clientSecret = o.authToken ?? 'simulated-client-secret';
      const standIn = await startGenesysStandIn({ conversations: [], clientId, clientSecret, ...(o.port !== undefined ? { port: o.port } : {}) });
      o.log(`Genesys Cloud stand-in at ${standIn.baseUrl}: add a Genesys Cloud source with Region API host ${standIn.baseUrl}, client id ${clientId}, client secret ${clientSecret}`);
      const m = genesysSimMapping(directory);
      o.log(`the simulated account names each queue and agent by its Frontline id: map the ${Object.keys(m.queues).length} queues and ${Object.keys(m.agents).length} agents on the source's mapping by name (or PATCH this mapping: ${JSON.stringify({ wrapCodes: m.wrapCodes })} plus queues and agents by name)`);
      return {
        send(_batch, all) {
          // Conversations are served as they stood at each moment (in progress ones too): the source re-reads them.
          const conversations = genesysConversations(all);
          standIn.add(conversations);
          standIn.addEvaluations(genesysEvaluations(all));
          return Promise.resolve({ records: conversations.length, requests: 0 });
        },
        standIn: { baseUrl: standIn.baseUrl, credentials: { region: standIn.baseUrl, clientId, clientSecret }, close: () => standIn.close() },
      };
    }
    case 'zendesk': {
      const email = 'simulator@frontline.example';
      const apiToken = o.authToken ?? 'simulated-api-token';
      const centre = new ZendeskSimulatedCentre(directory);
      const standIn = await startZendeskStandIn({ email, apiToken, ...(o.port !== undefined ? { port: o.port } : {}) });
      o.log(`Zendesk stand-in at ${standIn.baseUrl}: add a Zendesk source with Subdomain ${standIn.baseUrl}, email ${email}, API token ${apiToken}`);
      o.log(`map the source's wrap-up codes as ${JSON.stringify(ZENDESK_SIMULATOR_MAPPING.wrapCodes)}`);
      return {
        send(batch) {
          const data = centre.feed(batch);
          standIn.add(data);
          return Promise.resolve({ records: data.tickets.length + data.metricEvents.length + data.ratings.length, requests: 0 });
        },
        standIn: { baseUrl: standIn.baseUrl, credentials: { subdomain: standIn.baseUrl, email, apiToken }, close: () => standIn.close() },
      };
    }
  }
}

function need<K extends 'url' | 'sourceId' | 'accessKey' | 'authToken' | 'accountSid'>(o: SimulateAsOptions, keys: K[]): Record<K, string> {
  const flag: Record<string, string> = { url: '--url', sourceId: '--source', accessKey: '--access-key', authToken: '--auth-token', accountSid: '--account-sid' };
  const missing = keys.filter((k) => !o[k]);
  if (missing.length > 0) throw new Error(`--as ${o.platform} needs ${missing.map((k) => flag[k]).join(', ')} (the source's id and credentials from the Sources page)`);
  return Object.fromEntries(keys.map((k) => [k, o[k] as string])) as Record<K, string>;
}

function pushUrl(base: string, sourceId: string, endpoint: string): string {
  return `${base.replace(/\/$/, '')}/api/v1/sources/${encodeURIComponent(sourceId)}/push/${endpoint}`;
}

/** Retries network errors, 5xx and 503 (the source paused, the server restarting); any other answer is final. */
async function postWithRetry(url: string, body: string, headers: Record<string, string>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    let res: Response | undefined;
    try {
      res = await fetch(url, { method: 'POST', headers, body });
    } catch (err) {
      if (attempt >= 6) throw err;
    }
    if (res && res.status < 300) return;
    if (res && (res.status < 500 || attempt >= 6)) throw new Error(`${url} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
    await new Promise((r) => setTimeout(r, 500 * 2 ** attempt));
  }
}
