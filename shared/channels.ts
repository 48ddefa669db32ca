/** The contact channels. No zod here: client pages that list channels import this, not the event schemas. */
export const CHANNELS = ['voice', 'chat', 'email', 'messaging'] as const;
export type Channel = (typeof CHANNELS)[number];
