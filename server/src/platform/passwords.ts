import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { hash, verify } from '@node-rs/argon2';

/** OWASP Password Storage Cheat Sheet: Argon2id, m=19 MiB, t=2, p=1. */
export const ARGON2_OPTIONS = {
  algorithm: 2 /* Algorithm.Argon2id (a const enum) */,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
};
export const PASSWORD_MAX_LENGTH = 128;

export const hashPassword = (password: string) => hash(password, ARGON2_OPTIONS);

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

// A hash of a random password, verified when the login does not exist so that the answer takes the same time.
let dummyHash: Promise<string> | null = null;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(`dummy-${Math.random()}-${Date.now()}`);
  return dummyHash;
}

let common: Set<string> | null = null;
function commonPasswords(): Set<string> {
  if (!common) {
    const file = resolve(import.meta.dirname, '../../resources/common-passwords.txt');
    common = new Set(
      readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l && !l.startsWith('#')),
    );
  }
  return common;
}

export type PasswordProblem = 'TOO_SHORT' | 'TOO_LONG' | 'COMMON' | 'CONTAINS_NAME';

const fold = (s: string) =>
  s
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase();

/**
 * ASVS 5 (V6.2): length only (no composition rules), a block-list of common passwords, and no
 * user's own names. Length counts Unicode code points, so an accented letter or an emoji is one.
 */
export function checkPassword(
  password: string,
  opts: { minLength: number; names: (string | null | undefined)[] },
): PasswordProblem[] {
  const problems: PasswordProblem[] = [];
  const length = [...password].length;
  if (length < opts.minLength) problems.push('TOO_SHORT');
  if (length > PASSWORD_MAX_LENGTH) problems.push('TOO_LONG');
  const folded = fold(password);
  if (commonPasswords().has(folded) || commonPasswords().has(password.toLowerCase())) problems.push('COMMON');
  const compact = folded.replace(/[^a-z0-9]/g, '');
  const names = opts.names
    .filter((n): n is string => !!n)
    .flatMap((n) => fold(n).split(/[^a-z0-9]+/))
    .filter((n) => n.length >= 3);
  if (names.some((n) => compact.includes(n))) problems.push('CONTAINS_NAME');
  return problems;
}
