/** The five roles and their words. No zod here: the client's first chunks import it (see shared/access.ts). */
export const ROLES = ['admin', 'manager', 'team_leader', 'coach', 'agent'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  admin: 'Admin',
  manager: 'Manager',
  team_leader: 'Team leader',
  coach: 'Coach',
  agent: 'Agent',
};
