import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../server/config.js';
import { accessFromClaims, claimValues, suggestedUsername } from '../../../server/sso/claims.js';
import { ssoResultMessage } from '../../../shared/sso.js';

const SETTINGS = {
  roleClaim: 'groups',
  roleMap: { 'fl-admins': 'admin', 'fl-leads': 'team_leader', 'fl-agents': 'agent', 'fl-coaches': 'coach' } as const,
  teamClaim: 'teams',
  agentClaim: 'agent_id',
};
const DIR = { teams: new Set(['t-billing', 't-tech']), agents: new Set(['a-ann']) };

function reasonOf(claims: Record<string, unknown>): string {
  const m = accessFromClaims(claims, SETTINGS, DIR);
  return m.ok ? 'mapped' : m.reason;
}

describe('claims to access', () => {
  it('reads a claim as a string, a number or a list, and a dotted path into nested claims', () => {
    expect(claimValues({ groups: 'a' }, 'groups')).toEqual(['a']);
    expect(claimValues({ groups: ['a', 2, { x: 1 }, null] }, 'groups')).toEqual(['a', '2']);
    expect(claimValues({ realm_access: { roles: ['x', 'y'] } }, 'realm_access.roles')).toEqual(['x', 'y']);
    expect(claimValues({ realm_access: ['x'] }, 'realm_access.roles')).toEqual([]);
    expect(claimValues({ groups: ['a'] }, undefined)).toEqual([]);
    // Only own properties: a path cannot walk into the prototype.
    expect(claimValues({}, 'constructor.name')).toEqual([]);
  });

  it('the role that sees the most wins when several groups map', () => {
    expect(accessFromClaims({ groups: ['fl-agents', 'fl-admins'], agent_id: 'a-ann' }, SETTINGS, DIR)).toEqual({ ok: true, access: { role: 'admin', teamIds: [], agentId: 'a-ann' } });
    expect(accessFromClaims({ groups: ['fl-coaches', 'fl-leads'], teams: ['t-tech'] }, SETTINGS, DIR)).toEqual({ ok: true, access: { role: 'team_leader', teamIds: ['t-tech'], agentId: null } });
  });

  it('a team leader keeps only directory teams and needs one; an agent needs a directory agent id', () => {
    expect(accessFromClaims({ groups: ['fl-leads'], teams: ['t-tech', 'nope', 't-billing', 't-tech'] }, SETTINGS, DIR)).toMatchObject({ ok: true, access: { teamIds: ['t-billing', 't-tech'] } });
    expect(reasonOf({ groups: ['fl-leads'], teams: ['nope'] })).toMatch(/team leader needs at least one directory team/);
    expect(reasonOf({ groups: ['fl-agents'] })).toMatch(/agent needs a directory agent id/);
    expect(accessFromClaims({ groups: ['fl-agents'], agent_id: 'a-zed' }, SETTINGS, DIR)).toMatchObject({ ok: false, reason: "agent id 'a-zed' is not in the directory" });
  });

  it('no mapped value, no claim, or no role claim configured: no access', () => {
    expect(reasonOf({ groups: ['other'] })).toMatch(/OIDC_ROLE_MAP/);
    expect(accessFromClaims({}, SETTINGS, DIR)).toMatchObject({ ok: false, reason: "the token has no 'groups' claim" });
    expect(accessFromClaims({ groups: ['fl-admins'] }, { ...SETTINGS, roleClaim: undefined }, DIR).ok).toBe(false);
    // A claim value that names an object property is not a mapping.
    expect(accessFromClaims({ groups: ['toString', '__proto__'] }, SETTINGS, DIR).ok).toBe(false);
  });

  it('a suggested username always fits the username rules, whatever the provider sends', () => {
    fc.assert(
      fc.property(fc.record({ sub: fc.string(), preferred_username: fc.option(fc.string()), email: fc.option(fc.string()), name: fc.option(fc.string()) }), (claims) => {
        expect(suggestedUsername(claims)).toMatch(/^[a-z0-9._@-]{2,64}$/);
      }),
    );
    expect(suggestedUsername({ sub: '1', preferred_username: 'Lena Lead' })).toBe('lena.lead');
    expect(suggestedUsername({ sub: '1', email: 'Lena@Example.com' })).toBe('lena@example.com');
  });
});

describe('SSO configuration', () => {
  const base = { OIDC_ISSUER: 'https://login.example.com/realms/centre', OIDC_CLIENT_ID: 'frontline' };

  it('is off without OIDC_ISSUER, and a stray OIDC_ variable stops the start', () => {
    expect(loadConfig({}).sso).toBeNull();
    expect(() => loadConfig({ OIDC_CLIENT_ID: 'x' })).toThrow(/OIDC_CLIENT_ID: is set but OIDC_ISSUER is not/);
  });

  it('derives the redirect URL from PUBLIC_URL unless OIDC_REDIRECT_URL is given, and defaults the rest', () => {
    const c = loadConfig({ ...base, PUBLIC_URL: 'https://frontline.example.com/' }).sso;
    expect(c).toMatchObject({ redirectUrl: 'https://frontline.example.com/api/v1/auth/oidc/callback', scopes: ['openid', 'profile', 'email'], label: 'single sign-on', allowPassword: true, clientSecret: undefined });
    expect(loadConfig(base).sso?.redirectUrl).toBeUndefined();
    expect(loadConfig({ ...base, OIDC_REDIRECT_URL: 'https://sso.example.com/api/v1/auth/oidc/callback' }).sso?.redirectUrl).toBe('https://sso.example.com/api/v1/auth/oidc/callback');
  });

  it('refuses a plain-http issuer off this machine, a bad role map, and half a role mapping', () => {
    expect(() => loadConfig({ ...base, OIDC_ISSUER: 'http://login.example.com' })).toThrow(/OIDC_ISSUER: must be an https:\/\/ URL/);
    expect(loadConfig({ ...base, OIDC_ISSUER: 'http://127.0.0.1:9000' }).sso?.issuer).toBe('http://127.0.0.1:9000');
    expect(() => loadConfig({ ...base, OIDC_CLIENT_ID: undefined })).toThrow(/OIDC_CLIENT_ID: required/);
    expect(() => loadConfig({ ...base, OIDC_ROLE_CLAIM: 'groups', OIDC_ROLE_MAP: '{"g":"superuser"}' })).toThrow(/OIDC_ROLE_MAP: each role must be one of admin/);
    expect(() => loadConfig({ ...base, OIDC_ROLE_CLAIM: 'groups', OIDC_ROLE_MAP: 'not json' })).toThrow(/OIDC_ROLE_MAP: must be JSON/);
    expect(() => loadConfig({ ...base, OIDC_ROLE_MAP: '{"g":"admin"}' })).toThrow(/OIDC_ROLE_CLAIM and OIDC_ROLE_MAP go together/);
    expect(() => loadConfig({ ...base, OIDC_SCOPES: 'profile email' })).toThrow(/OIDC_SCOPES: must include 'openid'/);
    expect(() => loadConfig({ ...base, OIDC_REDIRECT_URL: 'https://frontline.example.com/callback' })).toThrow(/OIDC_REDIRECT_URL: must end in \/api\/v1\/auth\/oidc\/callback/);
    expect(loadConfig({ ...base, OIDC_ALLOW_PASSWORD: 'off' }).sso?.allowPassword).toBe(false);
  });

  it('the sign-in page shows only known messages: a crafted code shows nothing', () => {
    expect(ssoResultMessage('waiting')).toMatch(/administrator/);
    expect(ssoResultMessage('<script>')).toBeNull();
    expect(ssoResultMessage('toString')).toBeNull();
    expect(ssoResultMessage(null)).toBeNull();
  });
});
