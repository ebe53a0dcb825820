import { afterAll, beforeAll } from 'vitest';
import type { Db } from '../src/platform/db/schema.ts';
import { Notifier } from '../src/platform/notify.ts';
import { urlOf } from './helpers.ts';

const quiet = { error: () => {}, warn: () => {}, info: () => {} };

/**
 * For the tests of a migration's cache triggers: a listener on `preau_cache` for the enclosing `describe` (its
 * `beforeAll`/`afterAll` are registered here, after the caller's), and `announced(change)`, which runs the change
 * and answers the distinct `<topic>:<key>` it announced that `keep` keeps, once it has committed and they arrived.
 * `db` is a getter: a describe may create its database in its own `beforeAll`.
 */
export function announcements(db: () => Db, keep: (announcement: string) => boolean) {
  const seen: string[] = [];
  let notifier: Notifier | undefined;
  beforeAll(async () => {
    notifier = new Notifier(urlOf(db()), quiet);
    notifier.subscribe({ message: (topic, key) => seen.push(`${topic}:${key}`), reset: () => {} });
    await notifier.start();
    if (!notifier.connected) throw new Error('the test listener did not connect');
  });
  afterAll(() => notifier?.stop());
  return async (change: (db: Db) => Promise<unknown>): Promise<string[]> => {
    await notifier!.barrier(db()); // earlier changes' notifications are in
    seen.length = 0;
    await change(db());
    await notifier!.barrier(db());
    return [...new Set(seen)].filter(keep).sort();
  };
}
