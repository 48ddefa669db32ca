/** A domain error with a plain message and a kind the HTTP layer maps to a status; no Express here. */
export type AccountErrorKind = 'invalid' | 'not_found' | 'conflict' | 'unauthenticated' | 'locked' | 'forbidden';

export class AccountError extends Error {
  constructor(
    readonly kind: AccountErrorKind,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}
