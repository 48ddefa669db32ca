/**
 * The CSRF header's name, in a module of its own: the client's first chunk needs it and nothing else of access.ts,
 * whose zod schemas would otherwise ride along into every page's first load (the wall's included).
 */
export const CSRF_HEADER = 'x-csrf-token';
