/**
 * The default simulated centre: one Leeds site, three teams of fifteen, four queues over voice, chat and email.
 * Agents are multi-skilled by team so that a queue-wide problem crosses teams (flagging-methods.md 6.2, scenario D).
 */
import { directory as directorySchema, type Directory } from '../../shared/directory.js';

export const DEFAULT_SITE_ID = 'leeds';

const TEAMS = [
  {
    id: 'billing',
    name: 'Billing',
    names: [
      'Sarah Thompson', 'James Walker', 'Priya Patel', 'Mohammed Hussain', 'Emma Clarke',
      'Daniel Wright', 'Aisha Begum', 'Thomas Hughes', 'Chloe Robinson', "Liam O'Connor",
      'Rebecca Lewis', 'Jack Turner', 'Hannah Wood', 'Ryan Mitchell', 'Zara Ahmed',
    ],
  },
  {
    id: 'tech',
    name: 'Technical Support',
    names: [
      'Oliver Bennett', 'Amelia Hall', 'Harry Jackson', 'Sophie Green', 'Kieran Doyle',
      'Jessica Harris', 'Callum Fraser', 'Megan Evans', 'Imran Khan', 'Lauren Baker',
      'Ethan Morris', 'Grace Foster', 'Bethany Shaw', 'Nathan Price', 'Ellie Ward',
    ],
  },
  {
    id: 'digital',
    name: 'Digital & Email',
    names: [
      'Rhys Jones', 'Charlotte Cooper', 'Adam Richardson', 'Jade Bailey', 'Samuel Cox',
      'Katie Marshall', 'Ravi Sharma', 'Lucy Ellis', 'Connor Murphy', 'Fatima Ali',
      'Joseph Parker', 'Holly Bradshaw', 'Ben Atkinson', 'Olivia Graham', 'Dylan Hartley',
    ],
  },
] as const;

/** Which queues each default team serves, in the order an agent prefers them when several are waiting. */
export const DEFAULT_TEAM_SKILLS: Readonly<Record<string, readonly string[]>> = {
  billing: ['voice-billing', 'chat-general'],
  tech: ['voice-tech', 'chat-general'],
  digital: ['voice-billing', 'chat-general', 'email-support'],
};

/**
 * Fresh (first-time) contacts offered on a reference weekday (Tuesday, 08:00-20:00) per default queue. Repeat
 * contacts come on top (about a fifth more). Tuned so a normal weekday lands at 75-90% voice service level.
 */
export const DEFAULT_QUEUE_VOLUMES: Readonly<Record<string, number>> = {
  'voice-billing': 515,
  'voice-tech': 188,
  'chat-general': 355,
  'email-support': 200,
};

export function defaultCentreDirectory(): Directory {
  const agents = TEAMS.flatMap((team, t) =>
    team.names.map((name, i) => ({ id: `a-${String(t * 15 + i + 1).padStart(3, '0')}`, name, teamId: team.id })),
  );
  const dir: Directory = {
    sites: [
      {
        id: DEFAULT_SITE_ID,
        name: 'Leeds',
        timeZone: 'Europe/London',
        openingHours: {
          mon: { open: '08:00', close: '20:00' },
          tue: { open: '08:00', close: '20:00' },
          wed: { open: '08:00', close: '20:00' },
          thu: { open: '08:00', close: '20:00' },
          fri: { open: '08:00', close: '20:00' },
          sat: { open: '09:00', close: '17:00' },
        },
      },
    ],
    teams: TEAMS.map((t) => ({ id: t.id, name: t.name, siteId: DEFAULT_SITE_ID })),
    queues: [
      { id: 'voice-billing', name: 'Billing (voice)', channel: 'voice', siteId: DEFAULT_SITE_ID, serviceLevelSeconds: 20 },
      { id: 'voice-tech', name: 'Technical support (voice)', channel: 'voice', siteId: DEFAULT_SITE_ID, serviceLevelSeconds: 20 },
      { id: 'chat-general', name: 'Web chat', channel: 'chat', siteId: DEFAULT_SITE_ID, serviceLevelSeconds: 60 },
      { id: 'email-support', name: 'Email support', channel: 'email', siteId: DEFAULT_SITE_ID, serviceLevelSeconds: 86_400 },
    ],
    agents,
  };
  // Parse so a typo here fails at start-up rather than as rejected events later.
  return directorySchema.parse(dir);
}
