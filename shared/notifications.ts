/** Notifications: event kinds, a person's preferences, team endpoints and the delivery log, as both ends see them. */
import { z } from 'zod';

export const NOTIFICATION_KINDS = ['kpi_breach', 'kpi_recovered', 'case_assigned', 'follow_up_due', 'dispute_raised', 'source_unhealthy', 'source_healthy'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export const NOTIFICATION_KIND_LABELS: Record<NotificationKind, string> = {
  kpi_breach: 'KPI off target',
  kpi_recovered: 'KPI back on target',
  case_assigned: 'Case assigned to me',
  follow_up_due: 'Follow-up review due',
  dispute_raised: 'Agent disputed a case',
  source_unhealthy: 'Data source silent',
  source_healthy: 'Data source delivering again',
};

/** off: never; immediate: as it happens (held during quiet hours); digest: gathered into the hourly or daily email. */
export const DELIVERY_MODES = ['off', 'immediate', 'digest'] as const;
export type DeliveryMode = (typeof DELIVERY_MODES)[number];

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time HH:MM (24-hour)');

export const timeZoneName = z
  .string()
  .min(1)
  .max(64)
  .refine(
    (tz) => {
      try {
        new Intl.DateTimeFormat('en-GB', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    },
    { message: 'must be an IANA time zone such as Europe/London' },
  );

export const notificationPrefs = z.strictObject({
  /** Where this person's email goes; null: no email. */
  email: z.email('must be an email address').max(254).nullable(),
  emailEnabled: z.boolean(),
  kinds: z.strictObject(Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, z.enum(DELIVERY_MODES)])) as Record<NotificationKind, z.ZodEnum<{ off: 'off'; immediate: 'immediate'; digest: 'digest' }>>),
  digest: z.enum(['hourly', 'daily']),
  /** The person's zone: quiet hours and the daily digest (08:00) are in it. */
  timeZone: timeZoneName,
  /** Nothing is sent between start and end (may run past midnight); what came in goes out as one digest at the end. */
  quietHours: z.strictObject({ start: clockTime, end: clockTime }).refine((q) => q.start !== q.end, { message: 'start and end must differ' }).nullable(),
});
export type NotificationPrefs = z.infer<typeof notificationPrefs>;

export const DEFAULT_PREFS: NotificationPrefs = {
  email: null,
  emailEnabled: false,
  kinds: { kpi_breach: 'immediate', kpi_recovered: 'immediate', case_assigned: 'immediate', follow_up_due: 'immediate', dispute_raised: 'immediate', source_unhealthy: 'immediate', source_healthy: 'immediate' },
  digest: 'daily',
  timeZone: 'UTC',
  quietHours: null,
};

export const ENDPOINT_CHANNELS = ['webhook', 'email'] as const;
export type EndpointChannel = (typeof ENDPOINT_CHANNELS)[number];

const teamOrCentre = z.string().regex(/^(centre|team:[A-Za-z0-9._:-]{1,64})$/, "must be 'centre' or team:ID");
const kindList = z.array(z.enum(NOTIFICATION_KINDS)).min(1, 'choose at least one event kind').max(NOTIFICATION_KINDS.length);
const webhookUrl = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).max(2000);

export const newEndpointBody = z.discriminatedUnion('channel', [
  z.strictObject({ channel: z.literal('webhook'), name: z.string().trim().min(1).max(100), scope: teamOrCentre, address: webhookUrl, kinds: kindList }),
  z.strictObject({ channel: z.literal('email'), name: z.string().trim().min(1).max(100), scope: teamOrCentre, address: z.email('must be an email address').max(254), kinds: kindList }),
]);
export type NewEndpointBody = z.infer<typeof newEndpointBody>;

export const endpointPatchBody = z
  .strictObject({ name: z.string().trim().min(1).max(100).optional(), kinds: kindList.optional(), enabled: z.boolean().optional() })
  .refine((b) => Object.keys(b).length > 0, { message: 'say what to change: name, kinds or enabled' });

export const testBody = z.union([z.strictObject({ target: z.literal('me') }), z.strictObject({ target: z.literal('endpoint'), endpointId: z.string().min(1).max(64) })]);

export interface EndpointInfo {
  id: string;
  channel: EndpointChannel;
  name: string;
  scope: string;
  scopeName: string;
  address: string;
  kinds: NotificationKind[];
  createdAt: string;
  enabled: boolean;
}

export interface DeliveryAttempt {
  at: string;
  status: 'delivered' | 'error';
  reply: string | null;
  durationMs: number;
  error: string | null;
}

export interface DeliveryInfo {
  id: string;
  eventId: string;
  kind: NotificationKind | 'test';
  recipient: string;
  recipientName: string;
  channel: EndpointChannel;
  status: 'pending' | 'sent' | 'failed';
  digest: string | null;
  createdAt: string;
  dueAt: string;
  sentAt: string | null;
  lastError: string | null;
  attempts: DeliveryAttempt[];
}
