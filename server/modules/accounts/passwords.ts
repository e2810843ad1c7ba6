// Password rules and hashing, as OWASP ASVS 5 asks: length over composition, a common-password
// check, argon2id at m=19 MiB, t=2, p=1, and a rehash when stored parameters are weaker.
import { hash, verify } from '@node-rs/argon2';

// Algorithm.Argon2id in @node-rs/argon2 (a const enum, which isolated modules can't import).
const ARGON2ID = 2;

import { commonPasswords } from './common-passwords.js';

export const ARGON2 = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 256;

/** Returns why a new password is refused, or undefined when it is acceptable. */
export function passwordProblem(password: string): string | undefined {
  const length = [...password].length; // code points, so a long Unicode passphrase counts fairly
  if (length < PASSWORD_MIN) return `Use at least ${PASSWORD_MIN} characters`;
  if (length > PASSWORD_MAX) return `Use at most ${PASSWORD_MAX} characters`;
  if (commonPasswords.has(password.toLowerCase())) return 'This password is too common; choose another';
  return undefined;
}

export type Argon2Params = { memoryCost: number; timeCost: number; parallelism: number };

export function hashPassword(password: string, params: Argon2Params = ARGON2): Promise<string> {
  return hash(password.normalize('NFC'), { algorithm: ARGON2ID, ...params });
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password.normalize('NFC'));
  } catch {
    return false;
  }
}

/** True when the stored hash is not argon2id or uses weaker parameters than ours. */
export function needsRehash(stored: string): boolean {
  const m = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(stored);
  if (!m) return true;
  return Number(m[1]) < ARGON2.memoryCost || Number(m[2]) < ARGON2.timeCost;
}

// Verifying against this when the account doesn't exist keeps the response time the same either way.
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword('assay-timing-equaliser-not-a-password');
  return dummyHash;
}
