import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Role, Scope } from '../../../shared/access.js';
import { scopeText } from '../../../shared/access.js';
import type { Principal, UserPrincipal } from '../../../server/access/principal.js';
import {
  canEditCase,
  canGrantDisplayScope,
  canIngest,
  canManageDirectory,
  canManageUsers,
  canRespondToCase,
  canViewAgent,
  canViewCase,
  canViewDirectory,
  canViewScope,
  canViewTeam,
  DirectoryIndex,
  type CaseRef,
} from '../../../server/access/policies.js';
import { ORG } from '../../support/people.js';

const dir = new DirectoryIndex(ORG);

function user(role: Role, over: Partial<UserPrincipal> = {}): UserPrincipal {
  return { kind: 'user', userId: `u-${role}`, username: role, role, agentId: null, siteId: null, teamIds: [], sessionId: 's', csrfToken: 'c', ...over };
}

const annCase: CaseRef = { kind: 'individual', agentId: 'a-ann', teamId: 't-billing', assignedCoachId: 'u-coach' };
const bobCase: CaseRef = { kind: 'individual', agentId: 'a-bob', teamId: 't-billing', assignedCoachId: 'u-other-coach' };
const systemic: CaseRef = { kind: 'systemic', agentId: null, teamId: 't-billing', assignedCoachId: null };

describe('scope predicates', () => {
  it('team leaders see their teams and those agents only', () => {
    const tl = user('team_leader', { teamIds: ['t-billing'] });
    expect(canViewTeam(tl, 't-billing', dir)).toBe(true);
    expect(canViewTeam(tl, 't-tech', dir)).toBe(false);
    expect(canViewAgent(tl, 'a-bob', dir)).toBe(true);
    expect(canViewAgent(tl, 'a-cat', dir)).toBe(false);
    expect(canViewAgent(tl, 'a-unknown', dir)).toBe(false);
  });

  it('agents see themselves only; an agent without a link sees no agent', () => {
    expect(canViewAgent(user('agent', { agentId: 'a-ann' }), 'a-ann', dir)).toBe(true);
    expect(canViewAgent(user('agent', { agentId: 'a-ann' }), 'a-bob', dir)).toBe(false);
    expect(canViewAgent(user('agent'), 'a-ann', dir)).toBe(false);
    expect(canViewTeam(user('agent', { agentId: 'a-ann' }), 't-billing', dir)).toBe(false);
  });

  it('site managers are confined to their site, including its queues; centre managers are not', () => {
    const sue = user('manager', { siteId: 's-south' });
    expect(canViewScope(sue, { kind: 'site', id: 's-south' }, dir)).toBe(true);
    expect(canViewScope(sue, { kind: 'site', id: 's-north' }, dir)).toBe(false);
    expect(canViewScope(sue, { kind: 'queue', id: 'chat-south' }, dir)).toBe(true);
    expect(canViewScope(sue, { kind: 'queue', id: 'voice-billing' }, dir)).toBe(false);
    expect(canViewScope(sue, { kind: 'centre' }, dir)).toBe(false);
    expect(canViewScope(user('manager'), { kind: 'agent', id: 'a-ann' }, dir)).toBe(true);
  });

  it('coaches see an agent only while a case about them is assigned to them', () => {
    const links = { coachHasCaseFor: (coach: string, agent: string) => coach === 'u-coach' && agent === 'a-ann' };
    expect(canViewAgent(user('coach'), 'a-ann', dir, links)).toBe(true);
    expect(canViewAgent(user('coach'), 'a-bob', dir, links)).toBe(false);
    expect(canViewAgent(user('coach', { userId: 'u-someone' }), 'a-ann', dir, links)).toBe(false);
  });

  it('displays see exactly their granted scopes; read keys see all; ingest keys none', () => {
    const wall: Principal = { kind: 'display', displayId: 'd', name: 'w', scopes: [{ kind: 'team', id: 't-billing' }] };
    expect(canViewScope(wall, { kind: 'team', id: 't-billing' }, dir)).toBe(true);
    expect(canViewScope(wall, { kind: 'team', id: 't-tech' }, dir)).toBe(false);
    expect(canViewScope(wall, { kind: 'centre' }, dir)).toBe(false);
    expect(canViewScope({ kind: 'apikey', keyId: 'k', name: 'k', scopes: ['read'] }, { kind: 'agent', id: 'a-ann' }, dir)).toBe(true);
    expect(canViewScope({ kind: 'apikey', keyId: 'k', name: 'k', scopes: ['ingest'] }, { kind: 'centre' }, dir)).toBe(false);
    expect(canViewScope(null, { kind: 'centre' }, dir)).toBe(false);
  });

  it('a directory key reads and changes the directory and nothing else; admin keys and admins change it too', () => {
    const key = (scopes: ('ingest' | 'read' | 'admin' | 'directory')[]): Principal => ({ kind: 'apikey', keyId: 'k', name: 'k', scopes });
    const directoryKey = key(['directory']);
    expect(canViewDirectory(directoryKey)).toBe(true);
    expect(canManageDirectory(directoryKey)).toBe(true);
    expect(canViewScope(directoryKey, { kind: 'centre' }, dir)).toBe(false);
    expect(canIngest(directoryKey)).toBe(false);
    expect(canManageUsers(directoryKey)).toBe(false);
    expect(canManageDirectory(key(['admin']))).toBe(true);
    expect(canManageDirectory(user('admin'))).toBe(true);
    for (const other of [key(['read']), key(['ingest']), user('manager'), user('agent', { agentId: 'a-ann' }), null]) expect(canManageDirectory(other)).toBe(false);
  });

  it('nobody can grant a screen a scope they cannot see themselves', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<Role>('admin', 'manager', 'team_leader', 'coach', 'agent'),
        fc.constantFrom('centre', 'site:s-north', 'site:s-south', 'team:t-billing', 'team:t-tech', 'team:t-south', 'queue:voice-billing', 'agent:a-ann', 'agent:a-dan'),
        fc.subarray(['t-billing', 't-tech', 't-south']),
        fc.constantFrom(null, 's-north', 's-south'),
        (role, scope, teams, site) => {
          const p = user(role, { teamIds: role === 'team_leader' ? teams : [], siteId: role === 'manager' ? site : null, agentId: role === 'agent' ? 'a-ann' : null });
          const s: Scope = scopeText.parse(scope);
          if (canGrantDisplayScope(p, s, dir)) expect(canViewScope(p, s, dir)).toBe(true);
        },
      ),
    );
  });
});

describe('case predicates', () => {
  it('an agent can see and respond to their own case, never a colleague’s, never a systemic review', () => {
    const ann = user('agent', { agentId: 'a-ann' });
    expect(canViewCase(ann, annCase, dir)).toBe(true);
    expect(canRespondToCase(ann, annCase)).toBe(true);
    expect(canViewCase(ann, bobCase, dir)).toBe(false);
    expect(canRespondToCase(ann, bobCase)).toBe(false);
    expect(canViewCase(ann, systemic, dir)).toBe(false);
    expect(canEditCase(ann, annCase, dir)).toBe(false);
  });

  it('only the assigned coach edits a case; the team leader of that team and the manager of that site too', () => {
    expect(canEditCase(user('coach'), annCase, dir)).toBe(true);
    expect(canEditCase(user('coach'), bobCase, dir)).toBe(false);
    expect(canEditCase(user('team_leader', { teamIds: ['t-billing'] }), bobCase, dir)).toBe(true);
    expect(canEditCase(user('team_leader', { teamIds: ['t-tech'] }), bobCase, dir)).toBe(false);
    expect(canEditCase(user('manager', { siteId: 's-south' }), bobCase, dir)).toBe(false);
    expect(canEditCase(user('manager'), bobCase, dir)).toBe(true);
    // Admins set things up; coaching notes about a person are not theirs to read.
    expect(canViewCase(user('admin'), annCase, dir)).toBe(false);
  });
});
