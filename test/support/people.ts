/** A small two-site organisation with one person per role, and helpers to act as each of them over HTTP and sockets. */
import { io, type Socket } from 'socket.io-client';
import type { Role } from '../../shared/access.js';
import type { Directory } from '../../shared/directory.js';
import type { ClientToServerEvents, ServerToClientEvents } from '../../shared/live.js';
import type { TestServer } from './server.js';

export const ORG: Directory = {
  sites: [
    { id: 's-north', name: 'North', timeZone: 'Europe/London', openingHours: { mon: { open: '08:00', close: '20:00' } } },
    { id: 's-south', name: 'South', timeZone: 'Europe/London', openingHours: { mon: { open: '08:00', close: '20:00' } } },
  ],
  teams: [
    { id: 't-billing', name: 'Billing', siteId: 's-north' },
    { id: 't-tech', name: 'Tech', siteId: 's-north' },
    { id: 't-south', name: 'South team', siteId: 's-south' },
  ],
  queues: [
    { id: 'voice-billing', name: 'Billing (voice)', channel: 'voice', siteId: 's-north', serviceLevelSeconds: 20 },
    { id: 'chat-south', name: 'South chat', channel: 'chat', siteId: 's-south', serviceLevelSeconds: 60 },
  ],
  agents: [
    { id: 'a-ann', name: 'Ann', teamId: 't-billing' },
    { id: 'a-bob', name: 'Bob', teamId: 't-billing' },
    { id: 'a-cat', name: 'Cat', teamId: 't-tech' },
    { id: 'a-dan', name: 'Dan', teamId: 't-south' },
  ],
};

export const PASSWORD = 'correct horse battery staple';

export interface Person {
  id: string;
  username: string;
  role: Role;
  agentId: string | null;
}

export type People = Record<'admin' | 'manager' | 'siteManager' | 'teamLeader' | 'coach' | 'agent' | 'otherAgent', Person>;

export async function seedPeople(t: TestServer): Promise<People> {
  await t.server.directory.replace(ORG);
  await t.server.pulse.refreshDirectory();
  const meta = { actor: 'test', ip: null };
  const make = async (username: string, role: Role, extra: { agentId?: string; siteId?: string; teamIds?: string[] } = {}): Promise<Person> => {
    const u = await t.server.accounts.create({ username, displayName: username, role, password: PASSWORD, ...extra }, meta);
    return { id: u.id, username, role, agentId: u.agentId };
  };
  return {
    admin: await make('ada.admin', 'admin'),
    manager: await make('max.manager', 'manager'),
    siteManager: await make('sue.south', 'manager', { siteId: 's-south' }),
    teamLeader: await make('tom.lead', 'team_leader', { teamIds: ['t-billing'] }),
    coach: await make('cora.coach', 'coach'),
    agent: await make('ann', 'agent', { agentId: 'a-ann' }),
    otherAgent: await make('dan', 'agent', { agentId: 'a-dan' }),
  };
}

export interface Credentials {
  cookie?: string;
  csrf?: string;
  bearer?: string;
}

/** A fresh session for a person without going through the password hash (fast; sign-in itself is tested apart). */
export async function sessionFor(t: TestServer, p: Person): Promise<Credentials> {
  const s = await t.server.sessions.create(p.id, '127.0.0.1', 'test');
  const me = await t.server.sessions.verify(s.token);
  if (!me) throw new Error('session did not verify');
  // Both names, so it works whether or not the server runs with Secure (__Host-) cookies.
  return { cookie: `fl_session=${s.token}; __Host-fl_session=${s.token}`, csrf: me.csrfToken };
}

/** Signs in through the API like a browser: returns the session cookie and CSRF token. */
export async function signIn(baseUrl: string, username: string, password = PASSWORD): Promise<Credentials & { status: number }> {
  const res = await fetch(`${baseUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (res.status !== 200) return { status: res.status };
  const cookie = cookieFrom(res, 'fl_session');
  const me = (await (await fetch(`${baseUrl}/api/v1/session`, { headers: { cookie } })).json()) as { principal: { csrfToken: string } };
  return { status: 200, cookie, csrf: me.principal.csrfToken };
}

export function cookieFrom(res: Response, name: string): string {
  const set = res.headers
    .getSetCookie()
    .find((c) => [name, `__Host-${name}`].some((n) => c.startsWith(`${n}=`) && !c.startsWith(`${n}=;`)));
  if (!set) throw new Error(`no ${name} cookie in the answer`);
  return set.split(';')[0] as string;
}

/** Pairs a screen through the real flow: code, approval by `approver`, credential cookie. */
export async function pairDisplay(t: TestServer, approver: Credentials, scopes: string[] = ['centre'], name = 'Wall'): Promise<{ cookie: string; id: string }> {
  const start = await fetch(`${t.baseUrl}/api/v1/display/pairing`, { method: 'POST' });
  if (start.status !== 201) throw new Error(`pairing start: ${start.status} ${await start.text()}`);
  const pairing = cookieFrom(start, 'fl_pairing');
  const { code } = (await start.json()) as { code: string };
  const ok = await call(t.baseUrl, 'POST', '/api/v1/displays', approver, { code, name, scopes });
  if (ok.status !== 201) throw new Error(`approve: ${ok.status} ${await ok.text()}`);
  const { display } = (await ok.json()) as { display: { id: string } };
  const poll = await fetch(`${t.baseUrl}/api/v1/display/pairing`, { headers: { cookie: pairing } });
  return { cookie: cookieFrom(poll, 'fl_display'), id: display.id };
}

export async function call(baseUrl: string, method: string, path: string, who: Credentials | null, body?: unknown, extra: Record<string, string> = {}): Promise<Response> {
  const headers: Record<string, string> = { ...extra };
  if (who?.cookie) headers.cookie = who.cookie;
  if (who?.csrf && method !== 'GET') headers['x-csrf-token'] = who.csrf;
  if (who?.bearer) headers.authorization = `Bearer ${who.bearer}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${baseUrl}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
}

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Opens a socket as `who`; resolves once connected, rejects with the server's refusal. */
export function openSocket(baseUrl: string, who: Credentials | null, extraHeaders: Record<string, string> = {}): Promise<ClientSocket> {
  return new Promise((resolve, reject) => {
    const s: ClientSocket = io(baseUrl, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      extraHeaders: { ...(who?.cookie ? { cookie: who.cookie } : {}), ...extraHeaders },
      ...(who?.bearer ? { auth: { apiKey: who.bearer } } : {}),
    });
    s.once('connect', () => resolve(s));
    s.once('connect_error', (err) => {
      s.close();
      reject(err);
    });
  });
}
