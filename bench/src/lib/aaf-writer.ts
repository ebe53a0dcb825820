/**
 * The generated académie as AAF XML files, in the exact shape of server/test/fixtures/aaf/full:
 * `<prefix>_Complet_<YYYYMMDD>_<Type>_<NNNN>.xml`, the six types, large types split in numbered parts.
 * Also a delta (`<prefix>_Delta_…`) touching a given share of the persons: moves, arrivals, departures,
 * contact changes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Academy, Establishment, Guardian, Staff, Student } from './academy.ts';
import { FIRST_F, FIRST_M, LAST, SUBJECTS } from './names.ts';
import { Random } from './random.ts';

export type AafType = 'EtabEducNat' | 'Eleve' | 'PersRelEleve' | 'PersEducNat' | 'MatiereEducNat' | 'MefEducNat';
type Attrs = [string, string[]][];

export interface AafRequest {
  type: AafType;
  kind: 'add' | 'modify' | 'delete';
  key: string;
  attrs: Attrs;
}

export interface WrittenFile {
  path: string;
  type: AafType;
  part: number;
  records: number;
  bytes: number;
}

const CATEGORY: Record<AafType, string> = {
  EtabEducNat: 'categorieStructure',
  Eleve: 'categoriePersonne',
  PersRelEleve: 'categoriePersonne',
  PersEducNat: 'categoriePersonne',
  MatiereEducNat: 'categorieMatiere',
  MefEducNat: 'categorieMef',
};
const TYPES: AafType[] = ['EtabEducNat', 'MatiereEducNat', 'MefEducNat', 'PersEducNat', 'Eleve', 'PersRelEleve'];

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const frenchDate = (iso: string) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;
const upper = (s: string) => s.toLocaleUpperCase('fr-FR');

function requestXml(req: AafRequest): string {
  const tag = `${req.kind}Request`;
  const lines = [
    `  <${tag}>`,
    `    <operationalAttributes><attr name="${CATEGORY[req.type]}"><value>${req.type}</value></attr></operationalAttributes>`,
    `    <identifier><id>${escapeXml(req.key)}</id></identifier>`,
  ];
  if (req.kind !== 'delete') {
    lines.push('    <attributes>');
    for (const [name, values] of req.attrs) {
      if (values.length === 0) continue;
      lines.push(`      <attr name="${name}">${values.map((v) => `<value>${escapeXml(v)}</value>`).join('')}</attr>`);
    }
    lines.push('    </attributes>');
  }
  lines.push(`  </${tag}>`);
  return lines.join('\n');
}

export function structureAttrs(e: Establishment, academy: Academy): Attrs {
  return [
    ['ENTStructureJointure', [e.key]],
    ['ENTStructureUAI', [e.uai]],
    ['ENTStructureNomCourant', [e.aafName]],
    ['ENTStructureTypeStruct', [e.type]],
    ['ENTServAcAcademie', [academy.code]],
    ['street', [e.street]],
    ['postalCode', [e.commune.postalCode]],
    ['l', [upper(e.commune.name)]],
    ['telephoneNumber', [e.phone]],
    ['ENTStructureClasses', e.classes.map((c) => `${c.code}$${c.label}`)],
    ['ENTStructureGroupes', e.groups.map((g) => `${g.code}$${g.label}`)],
    ['ENTStructureSIREN', [e.siret]],
  ];
}

export function studentAttrs(s: Student): Attrs {
  const est = s.establishment.key;
  return [
    ['ENTPersonJointure', [s.key]],
    ['ENTEleveINE', [s.ine]],
    ['sn', [upper(s.lastName)]],
    ['givenName', [s.firstName]],
    ['ENTPersonAutresPrenoms', s.otherFirstNames.length ? [s.firstName, ...s.otherFirstNames] : []],
    ['personalTitle', [s.title]],
    ['ENTPersonDateNaissance', [frenchDate(s.birthDate)]],
    ['ENTPersonStructRattach', [est]],
    ['ENTEleveClasses', [`${est}$${s.klass.code}`]],
    ['ENTEleveGroupes', s.groups.map((g) => `${est}$${g.code}`)],
    ['ENTEleveMEF', [s.klass.level.mef]],
    ['ENTEleveLibelleMEF', [s.klass.level.mefLabel]],
    ['ENTEleveCodeEnseignements', [...new Set(s.groups.map((g) => SUBJECTS[g.subject][0]))]],
    [
      'ENTElevePersRelEleve',
      s.guardians.map(
        (l) => `${l.guardian.key}$${l.relation}$${l.payer ? 1 : 0}$${l.level === 'legal' ? 1 : 2}$1$${l.payer ? 1 : 0}`,
      ),
    ],
    ['ENTEleveBoursier', [s.scholarship ? 'O' : 'N']],
  ];
}

export function guardianAttrs(g: Guardian): Attrs {
  return [
    ['ENTPersonJointure', [g.key]],
    ['sn', [upper(g.lastName)]],
    ['givenName', [g.firstName]],
    ['personalTitle', [g.title]],
    ['mail', g.email ? [g.email] : []],
    ['homePhone', g.homePhone ? [g.homePhone] : []],
    ['mobile', g.mobile ? [g.mobile] : []],
    ['ENTPersonAdresse', [g.address]],
    ['ENTPersonCodePostal', [g.commune.postalCode]],
    ['ENTPersonVille', [upper(g.commune.name)]],
    ['ENTPersonPays', ['FRANCE']],
    ['ENTAuxPersRelEleveEleve', g.students.map((s) => s.key)],
  ];
}

export function staffAttrs(s: Staff): Attrs {
  const est = s.establishment.key;
  const teaches = s.assignments.length > 0;
  return [
    ['ENTPersonJointure', [s.key]],
    ['sn', [upper(s.lastName)]],
    ['givenName', [s.firstName]],
    ['personalTitle', [s.title]],
    ['ENTPersonDateNaissance', [frenchDate(s.birthDate)]],
    ['mail', [s.email]],
    ['ENTPersonStructRattach', [est]],
    ['ENTPersonFonctions', s.functions.map((f) => `${est}$${f.code}$${f.label}$${f.positionCode}$${f.positionLabel}`)],
    [
      'ENTAuxEnsClassesMatieres',
      s.assignments.filter((a) => a.kind === 'class').map((a) => `${est}$${a.code}$${SUBJECTS[a.subject][0]}`),
    ],
    [
      'ENTAuxEnsGroupesMatieres',
      s.assignments.filter((a) => a.kind === 'group').map((a) => `${est}$${a.code}$${SUBJECTS[a.subject][0]}`),
    ],
    ['ENTAuxEnsClassesPrincipal', s.headOf.map((c) => `${est}$${c.code}`)],
    ['PersEducNatPresenceDevantEleves', [teaches ? 'O' : 'N']],
  ];
}

/** Every request of a full export, by type. */
export function fullRequests(a: Academy): Map<AafType, AafRequest[]> {
  const add = (type: AafType, key: string, attrs: Attrs): AafRequest => ({ type, kind: 'add', key, attrs });
  return new Map<AafType, AafRequest[]>([
    ['EtabEducNat', a.establishments.map((e) => add('EtabEducNat', e.key, structureAttrs(e, a)))],
    [
      'MatiereEducNat',
      a.subjects.map((s) =>
        add('MatiereEducNat', s.code, [
          ['ENTMatJointure', [s.code]],
          ['ENTLibelleMatiere', [s.label]],
        ]),
      ),
    ],
    [
      'MefEducNat',
      a.mefs.map((m) =>
        add('MefEducNat', m.code, [
          ['ENTMefJointure', [m.code]],
          ['ENTLibelleMef', [m.label]],
          ['ENTNivFormation', [m.level]],
        ]),
      ),
    ],
    ['PersEducNat', a.staff.map((s) => add('PersEducNat', s.key, staffAttrs(s)))],
    ['Eleve', a.students.map((s) => add('Eleve', s.key, studentAttrs(s)))],
    ['PersRelEleve', a.guardians.map((g) => add('PersRelEleve', g.key, guardianAttrs(g)))],
  ]);
}

export interface WriteOptions {
  dir: string;
  /** File name prefix, e.g. `ENT2D`. */
  prefix?: string;
  /** `Complet` for a full export, `Delta` for a delta. */
  mode?: 'Complet' | 'Delta';
  /** ISO date in the file names; default the académie's export date. */
  date: string;
  /** Records per file before a type is split into another numbered part. */
  partSize?: number;
}

export function writeRequests(byType: Map<AafType, AafRequest[]>, opts: WriteOptions): WrittenFile[] {
  const prefix = opts.prefix ?? 'ENT2D';
  const mode = opts.mode ?? 'Complet';
  const partSize = opts.partSize ?? 1500;
  const stamp = opts.date.replaceAll('-', '');
  mkdirSync(opts.dir, { recursive: true });
  const files: WrittenFile[] = [];
  for (const type of TYPES) {
    const requests = byType.get(type) ?? [];
    if (requests.length === 0) continue;
    for (let part = 1, at = 0; at < requests.length; part++, at += partSize) {
      const chunk = requests.slice(at, at + partSize);
      const xml = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<ficAlimMENESR>',
        ...chunk.map(requestXml),
        '</ficAlimMENESR>',
        '',
      ].join('\n');
      const path = join(opts.dir, `${prefix}_${mode}_${stamp}_${type}_${String(part).padStart(4, '0')}.xml`);
      writeFileSync(path, xml);
      files.push({ path, type, part, records: chunk.length, bytes: Buffer.byteLength(xml) });
    }
  }
  return files;
}

export function writeFullExport(a: Academy, opts: Omit<WriteOptions, 'mode' | 'date'> & { date?: string }) {
  return writeRequests(fullRequests(a), { ...opts, mode: 'Complet', date: opts.date ?? a.date });
}

export interface DeltaSummary {
  moves: number;
  arrivals: number;
  arrivalGuardians: number;
  departures: number;
  guardianUpdates: number;
  staffUpdates: number;
  records: number;
}

/**
 * A delta touching `fraction` of the académie's persons (students + guardians + staff): class moves
 * within a level, new students with their guardians, departures, guardians' new contacts, staff e-mails.
 */
export function deltaRequests(
  a: Academy,
  fraction: number,
  seed: number,
): { byType: Map<AafType, AafRequest[]>; summary: DeltaSummary } {
  const r = new Random(seed ^ 0xde17a);
  const persons = a.students.length + a.guardians.length + a.staff.length;
  const n = Math.max(5, Math.round(persons * fraction));
  const eleve: AafRequest[] = [];
  const rel: AafRequest[] = [];
  const pers: AafRequest[] = [];
  const students = r.shuffle(a.students);
  const counts = {
    moves: Math.round(n * 0.35),
    arrivals: Math.max(1, Math.round(n * 0.08)),
    departures: Math.max(1, Math.round(n * 0.08)),
    guardianUpdates: Math.round(n * 0.25),
  };
  let at = 0;
  let moves = 0;
  for (; moves < counts.moves && at < students.length; at++) {
    const s = students[at]!;
    const others = s.establishment.classes.filter((c) => c.level === s.klass.level && c !== s.klass);
    if (others.length === 0) continue;
    const to = r.pick(others);
    const est = s.establishment.key;
    eleve.push({ type: 'Eleve', kind: 'modify', key: s.key, attrs: [['ENTEleveClasses', [`${est}$${to.code}`]]] });
    moves++;
  }
  for (let k = 0; k < counts.departures && at < students.length; k++, at++) {
    eleve.push({ type: 'Eleve', kind: 'delete', key: students[at]!.key, attrs: [] });
  }
  let arrivalGuardians = 0;
  for (let k = 0; k < counts.arrivals; k++) {
    const model = r.pick(a.students);
    const female = r.chance(0.5);
    const lastName = r.pick(LAST);
    const key = `E${String(a.students.length + k + 1).padStart(7, '0')}`;
    const newGuardians: Guardian[] = [];
    const guardianCount = r.chance(0.7) ? 2 : 1;
    for (let j = 0; j < guardianCount; j++) {
      arrivalGuardians++;
      const g: Guardian = {
        id: '',
        key: `R${String(a.guardians.length + arrivalGuardians).padStart(7, '0')}`,
        login: '',
        firstName: r.pick(j === 0 ? FIRST_F : FIRST_M),
        lastName,
        title: j === 0 ? 'Mme' : 'M.',
        email: `${key.toLowerCase()}.${j + 1}@example.fr`,
        mobile: null,
        homePhone: null,
        address: model.guardians[0]?.guardian.address ?? '1 rue de la République',
        commune: model.establishment.commune,
        students: [],
      };
      newGuardians.push(g);
    }
    const s: Student = {
      ...model,
      id: '',
      key,
      login: '',
      firstName: r.pick(female ? FIRST_F : FIRST_M),
      lastName,
      title: female ? 'Mlle' : 'M.',
      otherFirstNames: [],
      ine: `${String(900000000 + k).padStart(9, '0')}ZZ`,
      guardians: newGuardians.map((g, j) => ({
        guardian: g,
        relation: j === 0 ? '20' : '10',
        level: 'legal',
        payer: j === 0,
      })),
    };
    for (const g of newGuardians) g.students = [s];
    eleve.push({ type: 'Eleve', kind: 'add', key: s.key, attrs: studentAttrs(s) });
    for (const g of newGuardians) rel.push({ type: 'PersRelEleve', kind: 'add', key: g.key, attrs: guardianAttrs(g) });
  }
  const guardians = r.shuffle(a.guardians).slice(0, counts.guardianUpdates);
  for (const g of guardians) {
    rel.push({
      type: 'PersRelEleve',
      kind: 'modify',
      key: g.key,
      attrs: [
        ['mail', [`${g.login}.nouveau@example.fr`]],
        [
          'mobile',
          [`07 ${String(r.int(10, 99))} ${String(r.int(10, 99))} ${String(r.int(10, 99))} ${String(r.int(10, 99))}`],
        ],
      ],
    });
  }
  const used = eleve.length + rel.length;
  const staffUpdates = Math.max(0, n - used);
  for (const s of r.shuffle(a.staff).slice(0, staffUpdates)) {
    pers.push({ type: 'PersEducNat', kind: 'modify', key: s.key, attrs: [['mail', [`${s.login}.2@ac-creteil.fr`]]] });
  }
  const byType = new Map<AafType, AafRequest[]>([
    ['Eleve', eleve],
    ['PersRelEleve', rel],
    ['PersEducNat', pers],
  ]);
  return {
    byType,
    summary: {
      moves,
      arrivals: counts.arrivals,
      arrivalGuardians,
      departures: counts.departures,
      guardianUpdates: guardians.length,
      staffUpdates: pers.length,
      records: eleve.length + rel.length + pers.length,
    },
  };
}

/** The delta is dated two weeks after the full export. */
export function deltaDate(a: Academy): string {
  const d = new Date(`${a.date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 14);
  return d.toISOString().slice(0, 10);
}
