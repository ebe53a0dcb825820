/**
 * CSV rows and the people already in the directory (issue 9). School software often exports no identifier, or
 * one the directory never saw: a row is matched by the strongest evidence available —
 *   1. the file's identifier (the join key, found before this step),
 *   2. the INE (anywhere: a student who changed schools keeps it; the foreign-person rule then applies),
 *   3. names and birth date among the establishment's members,
 *   4. names and a family link: a student's guardian named on the row, a guardian's child in the file,
 *      or a guardian's e-mail or mobile phone (names and contact),
 *   5. a staff member's e-mail.
 * A person with the same names whose birth date does not contradict the row, and nothing to tell them apart, is a
 * likely match: the row is `ambiguous` and waits for the administrator's choice (this person, a new one, or skip);
 * it is never created silently. Names and birth dates that contradict mean another person: created.
 */
import type { ImportCandidate, ImportMatchBy, ImportResolutions } from '@preau/contracts';
import type { ExistingUser, MatchCandidateRow } from './import.repository.ts';
import { anomaly, foldName, type ImportAnomaly, type ImportSet, type PersonIn, type PersonKind } from './model.ts';

export interface CsvMatches {
  /** Set key → the account it is, and how it was recognised. */
  matched: Map<string, { userId: string; by: ImportMatchBy }>;
  /** Those accounts, keyed by the set's key (for the resolution and the foreign-person rule). */
  existing: ExistingUser[];
  /** Rows waiting for a choice, with the people they may be. */
  ambiguous: Map<string, ImportCandidate[]>;
  /** Rows the administrator chose to leave out. */
  skipped: Set<string>;
}

const PROFILES_OF: Record<PersonKind, string[]> = {
  student: ['student'],
  guardian: ['guardian'],
  staff: ['teacher', 'staff', 'principal'],
};

const names = (last: unknown, first: unknown) => `${foldName(String(last ?? ''))}|${foldName(String(first ?? ''))}`;
const contact = (v: string | null | undefined) => foldName(v ?? '');

function candidate(c: MatchCandidateRow, kind: PersonKind): ImportCandidate {
  return {
    id: c.id,
    name: `${c.last_name} ${c.first_name}`.trim(),
    birthDate: c.birth_date,
    classes: kind === 'student' ? [...c.classes].sort() : [...c.profiles].sort(),
  };
}

function existingOf(key: string, c: MatchCandidateRow): ExistingUser {
  return {
    id: c.id,
    external_id: key,
    status: c.status,
    is_platform_admin: c.is_platform_admin,
    merged_into: c.merged_into,
    memberships: c.memberships,
  };
}

/**
 * Match the set's people not already known by their key. `members` are the establishment's, `byIne` the
 * accounts holding the set's INE. Ambiguous rows get an `AMBIGUOUS_MATCH` anomaly.
 */
export function matchCsvPeople(
  set: ImportSet,
  known: Set<string>,
  members: MatchCandidateRow[],
  byIne: MatchCandidateRow[],
  resolutions: ImportResolutions,
  anomalies: ImportAnomaly[],
): CsvMatches {
  const out: CsvMatches = { matched: new Map(), existing: [], ambiguous: new Map(), skipped: new Set() };
  const byId = new Map<string, MatchCandidateRow>();
  for (const c of [...members, ...byIne]) byId.set(c.id, c);
  const sameNames = new Map<string, MatchCandidateRow[]>();
  for (const c of members) {
    const k = names(c.last_name, c.first_name);
    const list = sameNames.get(k) ?? [];
    list.push(c);
    sameNames.set(k, list);
  }
  const ofKind = (kind: PersonKind, list: MatchCandidateRow[]) =>
    list.filter((c) => c.profiles.some((p) => PROFILES_OF[kind].includes(p)));

  const match = (key: string, c: MatchCandidateRow, by: ImportMatchBy) => {
    out.matched.set(key, { userId: c.id, by });
    out.existing.push(existingOf(key, c));
  };
  const ambiguous = (p: PersonIn, kind: PersonKind, list: MatchCandidateRow[], refusedChoice: boolean) => {
    const candidates = list.map((c) => candidate(c, kind));
    out.ambiguous.set(p.key, candidates);
    const name = `${p.values.last_name ?? ''} ${p.values.first_name ?? ''}`.trim();
    anomalies.push(
      anomaly(
        'AMBIGUOUS_MATCH',
        refusedChoice
          ? `"${name}" may be one of ${list.length} people of the directory, and the choice sent is not one of them: nothing was done for this row`
          : `"${name}" may be one of ${list.length} people of the directory: nothing was done for this row until you choose (this person, a new one, or skip)`,
        p.origin,
        p.key,
        { variant: refusedChoice ? 'choice' : 'wait', name, candidates: list.length },
      ),
    );
  };
  /** The matched accounts so far (to find a family link), by set key. */
  const userOf = (key: string) => out.matched.get(key)?.userId;

  const decide = (
    p: PersonIn,
    kind: PersonKind,
    find: () => { sure?: [MatchCandidateRow, ImportMatchBy]; likely: MatchCandidateRow[] },
  ) => {
    if (known.has(p.key)) return;
    const choice = resolutions[p.key];
    if (choice === 'skip') {
      out.skipped.add(p.key);
      return;
    }
    if (choice === 'new') return;
    const { sure, likely } = find();
    if (choice) {
      const chosen = [...(sure ? [sure[0]] : []), ...likely].find((c) => c.id === choice);
      if (chosen) return match(p.key, chosen, 'choice');
      return ambiguous(p, kind, sure ? [sure[0], ...likely] : likely, true);
    }
    if (sure) return match(p.key, sure[0], sure[1]);
    if (likely.length) ambiguous(p, kind, likely, false);
  };

  // Birth dates: equal is evidence, different is another person, unknown on either side is neither.
  const birthOk = (row: unknown, c: MatchCandidateRow) => !row || !c.birth_date || row === c.birth_date;
  const one = (list: MatchCandidateRow[]) => (list.length === 1 ? list[0] : undefined);

  for (const s of set.students.values())
    decide(s, 'student', () => {
      const ine = typeof s.values.ine === 'string' ? s.values.ine.toUpperCase() : null;
      if (ine) {
        const withIne = byIne.filter((c) => c.ine?.toUpperCase() === ine);
        if (withIne.length === 1) return { sure: [withIne[0]!, 'ine'], likely: [] };
        if (withIne.length > 1) return { likely: withIne };
      }
      const same = ofKind('student', sameNames.get(names(s.values.last_name, s.values.first_name)) ?? []).filter((c) =>
        birthOk(s.values.birth_date, c),
      );
      const exact = s.values.birth_date ? same.filter((c) => c.birth_date === s.values.birth_date) : [];
      const sure = one(exact);
      if (sure) return { sure: [sure, 'nameBirth'], likely: [] };
      if (exact.length > 1) return { likely: exact };
      // A guardian named on the row who is already this student's guardian.
      const rowGuardians = new Set(
        (s.guardians ?? []).map((l) => {
          const g = set.guardians.get(l.guardianKey);
          return names(g?.values.last_name, g?.values.first_name);
        }),
      );
      const family = same.filter((c) => c.guardians.some((g) => rowGuardians.has(names(g.last, g.first))));
      const byFamily = one(family);
      if (byFamily) return { sure: [byFamily, 'nameGuardian'], likely: [] };
      return { likely: same };
    });

  for (const p of set.staff.values())
    decide(p, 'staff', () => {
      const same = ofKind('staff', sameNames.get(names(p.values.last_name, p.values.first_name)) ?? []).filter((c) =>
        birthOk(p.values.birth_date, c),
      );
      const mail = contact(p.values.email as string | undefined);
      const byMail = mail ? one(ofKind('staff', members).filter((c) => contact(c.email) === mail)) : undefined;
      if (byMail) return { sure: [byMail, 'email'], likely: [] };
      const exact = one(p.values.birth_date ? same.filter((c) => c.birth_date === p.values.birth_date) : []);
      if (exact) return { sure: [exact, 'nameBirth'], likely: [] };
      return { likely: same };
    });

  // Guardians last: their children may have just been recognised.
  const childrenOf = new Map<string, Set<string>>();
  for (const s of set.students.values())
    for (const l of s.guardians ?? []) {
      const list = childrenOf.get(l.guardianKey) ?? new Set();
      list.add(s.key);
      childrenOf.set(l.guardianKey, list);
    }
  for (const g of set.guardians.values())
    decide(g, 'guardian', () => {
      const same = ofKind('guardian', sameNames.get(names(g.values.last_name, g.values.first_name)) ?? []);
      const mail = contact(g.values.email as string | undefined);
      const mobile = contact(g.values.phone_mobile as string | undefined);
      const byContact = one(
        same.filter((c) => (mail && contact(c.email) === mail) || (mobile && contact(c.phone_mobile) === mobile)),
      );
      if (byContact) return { sure: [byContact, 'nameContact'], likely: [] };
      const kids = new Set(
        [...(childrenOf.get(g.key) ?? []), ...(g.students ?? [])]
          .map((k) => userOf(k) ?? [...byId.values()].find((c) => c.external_id === k)?.id)
          .filter((x): x is string => !!x),
      );
      const byChild = one(same.filter((c) => c.children.some((id) => kids.has(id))));
      if (byChild) return { sure: [byChild, 'nameGuardian'], likely: [] };
      return { likely: same };
    });
  return out;
}

/** Take these people out of the set, and the links that name them. */
export function dropPeople(set: ImportSet, keys: Set<string>): void {
  if (keys.size === 0) return;
  for (const people of [set.students, set.guardians, set.staff] as Map<string, unknown>[])
    for (const k of keys) people.delete(k);
  for (const k of keys) set.deletes.delete(k);
  for (const s of set.students.values())
    if (s.guardians?.some((l) => keys.has(l.guardianKey)))
      s.guardians = s.guardians.filter((l) => !keys.has(l.guardianKey));
  for (const g of set.guardians.values())
    if (g.students?.some((k) => keys.has(k))) g.students = g.students.filter((k) => !keys.has(k));
}
