/** Who may open, change, read and sign off improvement initiatives (server/access/policies.ts). */
import { describe, expect, it } from 'vitest';
import type { Role } from '../../../shared/access.js';
import type { UserPrincipal } from '../../../server/access/principal.js';
import { canEditInitiative, canEditInitiativeScope, canSignOffInitiative, canViewInitiative, DirectoryIndex, type InitiativeRef } from '../../../server/access/policies.js';
import { ORG } from '../../support/people.js';

const dir = new DirectoryIndex(ORG);
const user = (role: Role, over: Partial<UserPrincipal> = {}): UserPrincipal => ({ kind: 'user', userId: `u-${role}`, username: role, role, agentId: null, siteId: null, teamIds: [], sessionId: 's', csrfToken: 'c', ...over });
const billing: InitiativeRef = { scope: { kind: 'team', id: 't-billing' }, stakeholders: ['u-coach'], createdBy: 'user:u-manager' };
const queue: InitiativeRef = { scope: { kind: 'queue', id: 'voice-billing' }, stakeholders: [], createdBy: 'user:u-manager' };

describe('improvement initiative access', () => {
  it('admins and managers within their site open and change them; team leaders only for their own teams', () => {
    expect(canEditInitiative(user('admin'), billing, dir)).toBe(true);
    expect(canEditInitiative(user('manager'), queue, dir)).toBe(true);
    expect(canEditInitiative(user('manager', { siteId: 's-south' }), billing, dir)).toBe(false);
    expect(canEditInitiative(user('team_leader', { teamIds: ['t-billing'] }), billing, dir)).toBe(true);
    expect(canEditInitiative(user('team_leader', { teamIds: ['t-billing'] }), queue, dir)).toBe(false);
    expect(canEditInitiative(user('team_leader', { teamIds: ['t-tech'] }), billing, dir)).toBe(false);
    expect(canEditInitiativeScope(user('admin'), { kind: 'agent', id: 'a-ann' }, dir)).toBe(false);
    expect(canEditInitiative(user('coach'), billing, dir)).toBe(false);
  });

  it('stakeholders read and sign off; agents, displays and keys never see them', () => {
    expect(canViewInitiative(user('coach', { userId: 'u-coach' }), billing, dir)).toBe(true);
    expect(canViewInitiative(user('coach', { userId: 'u-other' }), billing, dir)).toBe(false);
    expect(canSignOffInitiative(user('coach', { userId: 'u-coach' }), billing)).toBe(true);
    expect(canSignOffInitiative(user('manager'), billing)).toBe(false);
    expect(canViewInitiative(user('team_leader', { teamIds: ['t-tech'] }), queue, dir)).toBe(true);
    expect(canViewInitiative(user('team_leader', { teamIds: ['t-tech'] }), billing, dir)).toBe(false);
    expect(canViewInitiative(user('agent', { agentId: 'a-ann', userId: 'u-coach' }), billing, dir)).toBe(false);
    expect(canViewInitiative({ kind: 'apikey', keyId: 'k', name: 'k', scopes: ['read'] }, billing, dir)).toBe(false);
    expect(canViewInitiative({ kind: 'display', displayId: 'd', name: 'd', scopes: [{ kind: 'centre' }] } as never, billing, dir)).toBe(false);
  });
});
