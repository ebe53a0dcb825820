import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { hash, verify } from '@node-rs/argon2';
import { Admission, type AdmissionOptions } from './admission.ts';
import { AppError } from './errors.ts';

/** OWASP Password Storage Cheat Sheet: Argon2id, m=19 MiB, t=2, p=1. */
export const ARGON2_OPTIONS = {
  algorithm: 2 /* Algorithm.Argon2id (a const enum) */,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
};
export const PASSWORD_MAX_LENGTH = 128;

/** One core left to the event loop and PostgreSQL, so that people already logged in keep a fast home page. */
export const defaultArgon2Concurrency = () => Math.max(1, availableParallelism() - 1);

/**
 * Every hash and verification of the process goes through this queue (platform/admission.ts): at most
 * `ARGON2_CONCURRENCY` at once, fair between client addresses, 503 `SERVER_BUSY` past `LOGIN_QUEUE_BUDGET_MS`.
 */
export const passwordQueue = new Admission({
  concurrency: defaultArgon2Concurrency(),
  budgetMs: 8_000,
  maxQueue: 5_000,
});

export function configurePasswordQueue(options: Partial<AdmissionOptions>): void {
  passwordQueue.configure(options);
}

/** `client`: whose turn it is in the queue (the client address); internal work shares one lane. */
export const hashPassword = (password: string, client = 'internal') =>
  passwordQueue.run(client, () => hash(password, ARGON2_OPTIONS));

export async function verifyPassword(stored: string, password: string, client = 'internal'): Promise<boolean> {
  try {
    return await passwordQueue.run(client, () => verify(stored, password));
  } catch (e) {
    if (e instanceof AppError) throw e; // the queue is full: 503, not a wrong password
    return false;
  }
}

// A hash of a random password, verified when the login does not exist so that the answer takes the same time.
let dummyHash: Promise<string> | null = null;
export function dummyPasswordHash(): Promise<string> {
  // Once per process, outside the queue (a refused first attempt must not be remembered).
  dummyHash ??= hash(`dummy-${Math.random()}-${Date.now()}`, ARGON2_OPTIONS);
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
