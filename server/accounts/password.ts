/**
 * Passwords: argon2id with OWASP's parameters (m = 19 MiB, t = 2, p = 1), a length of 12 to 256 characters, no
 * composition rules, and a strength check (zxcvbn-ts, which knows tens of thousands of common and leaked passwords)
 * instead of "one digit, one symbol" rules (ASVS 6.2.x, 11.4.2).
 */
import argon2 from 'argon2';
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as zxcvbnCommon from '@zxcvbn-ts/language-common';
import * as zxcvbnEn from '@zxcvbn-ts/language-en';
import { PASSWORD_MAX, PASSWORD_MIN } from '../../shared/access.js';

const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, ARGON2_OPTIONS);
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;
/** Verified against when the username is unknown, so the answer takes as long as for a known one (ASVS 6.3.8). */
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword('frontline-dummy-password-for-timing');
  return dummy;
}

let zxcvbn: ZxcvbnFactory | undefined;

/** Returns why a password is not acceptable, in plain words, or null when it is. */
export function passwordProblem(password: string, userInputs: string[] = []): string | null {
  if (password.length < PASSWORD_MIN) return `must be at least ${PASSWORD_MIN} characters (a short sentence works well)`;
  if (password.length > PASSWORD_MAX) return `must be at most ${PASSWORD_MAX} characters`;
  zxcvbn ??= new ZxcvbnFactory({
    dictionary: { ...zxcvbnCommon.dictionary, ...zxcvbnEn.dictionary },
    graphs: zxcvbnCommon.adjacencyGraphs,
    translations: zxcvbnEn.translations,
  });
  const result = zxcvbn.check(password.slice(0, 100), userInputs);
  if (result.score < 3) {
    const hint = result.feedback.warning ?? result.feedback.suggestions[0];
    return `is too easy to guess${hint ? ` (${hint.replace(/\.$/, '').toLowerCase()})` : ''}; try a few unrelated words`;
  }
  return null;
}
