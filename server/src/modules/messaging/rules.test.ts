import { describe, expect, test } from 'vitest';
import { countRows, testApp } from '../../../test/helpers.ts';
import { messagingWorld } from '../../../test/messaging-fixtures.ts';

/**
 * The communication-rules matrix: every sender profile × every kind of recipient, under the default rules, then
 * after the principal's changes (levels per profile pair, adjustments per class and group). Each cell is checked
 * twice: the audience check before sending (what the rules refuse), and the address book (whom it shows).
 */
const { app, db } = await testApp();
const w = await messagingWorld(db, app);
const P = w.people;
type Name = keyof typeof P;
const RECIPIENTS: Name[] = ['S1', 'S2', 'S3', 'G1', 'G3', 'T1', 'T3', 'L', 'O', 'P', 'A'];

async function reachable(sender: Name): Promise<{ audience: Name[]; book: Name[] }> {
  const targets = RECIPIENTS.filter((r) => r !== sender);
  const res = await w.agents[sender].get(
    `/api/messaging/audience?establishment=${w.school.id}&to=${targets.map((r) => P[r].id).join(',')}`,
  );
  expect(res.statusCode, res.body).toBe(200);
  const refused = new Set<string>(res.json().refused);
  const audience = targets.filter((r) => !refused.has(P[r].id));
  const book = await w.agents[sender].get(`/api/messaging/recipients?establishment=${w.school.id}&limit=100`);
  const ids = new Set(
    book
      .json()
      .items.filter((i: { kind: string }) => i.kind === 'person')
      .map((i: { id: string }) => i.id),
  );
  return { audience, book: targets.filter((r) => ids.has(P[r].id)) };
}

const everyoneBut = (me: Name) => RECIPIENTS.filter((r) => r !== me);

describe('default rules', () => {
  const expected: Record<string, Name[]> = {
    // classmate, the teachers of their class and group, school life; not another class, parents, other staff, the direction
    S1: ['S2', 'T1', 'T3', 'L'],
    // the child's teachers, school life, the direction; never other parents or students
    G1: ['T1', 'T3', 'L', 'P'],
    T1: everyoneBut('T1'),
    L: everyoneBut('L'),
    O: everyoneBut('O'),
    P: everyoneBut('P'),
    A: everyoneBut('A'),
  };
  for (const [sender, allowed] of Object.entries(expected)) {
    test(`${sender} writes to ${allowed.join(', ')}`, async () => {
      const got = await reachable(sender as Name);
      expect(got.audience).toEqual(allowed);
      expect(got.book).toEqual(allowed);
    });
  }

  test('the rules in plain words, as the direction reads them', async () => {
    const rules = (await w.agents.P.get(`/api/messaging/rules?establishment=${w.school.id}`)).json();
    const say = Object.fromEntries(rules.summary.map((s: { profile: string; text: string }) => [s.profile, s.text]));
    expect(say.teacher).toBe("Les enseignants écrivent à tout l'établissement.");
    expect(say.student).toBe(
      'Les élèves écrivent aux élèves de leur classe, aux enseignants de leurs classes et groupes et à la vie scolaire.',
    );
    expect(say.guardian).toBe(
      'Les parents écrivent aux enseignants de leurs enfants, à la vie scolaire et à la direction.',
    );
  });
});

describe("after the principal's changes", () => {
  test('levels per profile pair and adjustments per class and group apply at once, audited', async () => {
    const auditBefore = await countRows(db, 'audit_event');
    const res = await w.agents.P.put('/api/messaging/rules', {
      establishmentId: w.school.id,
      levels: [
        { from: 'student', to: 'student', level: 'none' },
        { from: 'student', to: 'direction', level: 'all' },
        { from: 'guardian', to: 'guardian', level: 'related' },
        { from: 'guardian', to: 'staff', level: 'all' },
      ],
      structures: [
        // the students of the Latin group may write to each other; in 3B they may not write to their teachers
        { structure: { type: 'group', id: w.g.id }, from: 'student', to: 'student', allowed: true },
        { structure: { type: 'class', id: w.c1.id }, from: 'student', to: 'teacher', allowed: false },
        { structure: { type: 'group', id: w.g.id }, from: 'guardian', to: 'guardian', allowed: true },
      ],
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().structures).toHaveLength(3);
    const audit = await db
      .selectFrom('audit_event')
      .select(['action', 'details'])
      .where('action', '=', 'messaging.rules.update')
      .execute();
    expect(audit).toHaveLength(1);
    expect(await countRows(db, 'audit_event')).toBe(auditBefore + 1);
    expect(JSON.stringify(audit[0]!.details)).toContain('"after"');

    const expected: Record<string, Name[]> = {
      S1: ['S3', 'T3', 'L', 'P'],
      G1: ['G3', 'T1', 'T3', 'L', 'O', 'P', 'A'],
      T1: everyoneBut('T1'),
      P: everyoneBut('P'),
    };
    for (const [sender, allowed] of Object.entries(expected)) {
      const got = await reachable(sender as Name);
      expect(got.audience, sender).toEqual(allowed);
      expect(got.book, sender).toEqual(allowed);
    }
    // lists follow: the class list of 3B is no longer S1's, the group's is
    const book = (await w.agents.S1.get(`/api/messaging/recipients?establishment=${w.school.id}&q=latin`)).json();
    expect(
      book.items.filter((i: { kind: string }) => i.kind === 'list').map((i: { label: string }) => i.label),
    ).toEqual(['enseignants du groupe LATIN', 'élèves du groupe LATIN']);
    const send = await w.agents.S1.post('/api/messaging/messages', {
      establishmentId: w.school.id,
      to: [`class.${w.c1.id}.students`],
      subject: 'Devoir',
      body: '<p>On fait le devoir ensemble ?</p>',
    });
    expect(send.statusCode).toBe(403);
    expect(send.json()).toMatchObject({ code: 'RECIPIENT_NOT_ALLOWED', refused: [`class.${w.c1.id}.students`] });
  });

  test('"related" is refused for profiles that have no class; bad levels are 400; nothing changes', async () => {
    const before = (await w.agents.P.get(`/api/messaging/rules?establishment=${w.school.id}`)).json();
    const res = await w.agents.P.put('/api/messaging/rules', {
      establishmentId: w.school.id,
      levels: [{ from: 'staff', to: 'student', level: 'related' }],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().detail).toBe('Certaines valeurs envoyées ne sont pas valides.');
    const bad = await w.agents.P.put('/api/messaging/rules', {
      establishmentId: w.school.id,
      levels: [{ from: 'student', to: 'student', level: 'sometimes' }],
    });
    expect(bad.statusCode).toBe(400);
    const foreign = await w.agents.P.put('/api/messaging/rules', {
      establishmentId: w.school.id,
      structures: [
        { structure: { type: 'class', id: crypto.randomUUID() }, from: 'student', to: 'student', allowed: true },
      ],
    });
    expect(foreign.statusCode).toBe(404);
    expect((await w.agents.P.get(`/api/messaging/rules?establishment=${w.school.id}`)).json()).toEqual(before);
  });

  test('only the direction changes the rules', async () => {
    const res = await w.agents.T1.put('/api/messaging/rules', { establishmentId: w.school.id, levels: [] });
    expect(res.statusCode).toBe(403);
  });
});
