import { expect, test } from 'vitest';
import { testApp } from '../../../test/helpers.ts';
import { messagingWorld } from '../../../test/messaging-fixtures.ts';
import { trustedDb } from '../../platform/access/authorize.ts';
import { indicators } from './messaging.repository.ts';

/**
 * The rollout cockpit's messaging indicators (migration 0202 indexes them): the guardians who read a message in the
 * period, of the establishment's guardians, and the messages sent in it.
 */
const { app, db } = await testApp();
const w = await messagingWorld(db, app);
const est = w.school.id;
const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date());
const yesterday = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(
  new Date(Date.now() - 86_400_000),
);
const trusted = trustedDb(db, 'test of the rollout cockpit indicators');

test('guardians reading: a guardian who opened a message today counts once; a student, or another day, does not', async () => {
  const guardians = (
    await db
      .selectFrom('membership')
      .select('user_id')
      .distinct()
      .where('establishment_id', '=', est)
      .where('profile', '=', 'guardian')
      .execute()
  ).length;
  expect(guardians).toBeGreaterThan(1);
  expect(await indicators.guardiansReading(trusted, est, { from: today, to: today })).toEqual({
    readers: 0,
    guardians,
  });

  const sent = await w.agents.P.post('/api/messaging/messages', {
    establishmentId: est,
    to: ['all.guardians', 'all.students'],
    subject: 'Réunion',
    body: '<p>Bonjour.</p>',
    noReply: true,
  });
  expect(sent.statusCode, sent.body).toBe(201);
  const id = sent.json().id;
  // G1 opens it twice, S1 (a student) once: one guardian reader.
  for (const agent of [w.agents.G1, w.agents.G1, w.agents.S1])
    expect((await agent.get(`/api/messaging/messages/${id}`)).statusCode).toBe(200);

  expect(await indicators.guardiansReading(trusted, est, { from: today, to: today })).toEqual({
    readers: 1,
    guardians,
  });
  expect(await indicators.guardiansReading(trusted, est, { from: yesterday, to: yesterday })).toEqual({
    readers: 0,
    guardians,
  });
  expect(await indicators.messagesSent(trusted, est, { from: today, to: today })).toBeGreaterThanOrEqual(1);
  expect(await indicators.messagesSent(trusted, est, { from: yesterday, to: yesterday })).toBe(0);
});
