/**
 * A deterministic AAF file set for one establishment: structure, subjects, MEF, students with classes,
 * groups and guardians, guardians, staff with functions, assignments and head teachers. Sized like a lycée
 * by default (2,000 students, 3,500 guardians, 200 staff). Used by tests (small sizes) and to time the
 * import: `node test/aaf-generator.ts <folder> [students] [guardians] [staff]` writes the files.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { uaiCheckLetter } from '../src/platform/logins.ts';
import { rng } from '../src/seed/names.ts';

export interface GeneratorOptions {
  students?: number;
  guardians?: number;
  staff?: number;
  /** Structure join key and the 7 digits of its UAI. */
  structureKey?: string;
  uaiDigits?: string;
  seed?: number;
  /** Prefix of every person key (two sets with different prefixes never share a person). */
  prefix?: string;
  date?: string;
}

export interface GeneratedFile {
  name: string;
  content: Buffer;
}

const FIRST = [
  'Emma',
  'Léa',
  'Chloé',
  'Inès',
  'Zoé',
  'Maëlys',
  'Noé',
  'Raphaël',
  'Hugo',
  'Théo',
  'Yanis',
  'Aïcha',
  'Loïc',
  'Anaïs',
  'Jérôme',
  'Hélène',
  'François',
  'Sophie',
  'Karim',
  'Fatou',
  'Lucas',
  'Jade',
  'Adam',
  'Sarah',
  'Nathan',
  'Camille',
  'Mohamed',
  'Clémence',
  'Océane',
  'Élodie',
];
const LAST = [
  'MARTIN',
  'BERNARD',
  'DUBOIS',
  'THOMAS',
  'ROBERT',
  'RICHARD',
  'PETIT',
  'DURAND',
  'LEROY',
  'MOREAU',
  'SIMON',
  'LAURENT',
  'LEFÈVRE',
  'MICHEL',
  'GARCIA',
  'DAVID',
  'BERTRAND',
  'ROUX',
  'VINCENT',
  'FOURNIER',
  "N'DIAYE",
  'DIALLO',
  'NGUYEN',
  'HADDAD',
  'BENALI',
  'FERREIRA',
  'MÜLLER',
  'KOWALSKI',
  'TRAORÉ',
  'CŒURDEROY',
];
const SUBJECTS: [string, string][] = [
  ['020100', 'FRANCAIS'],
  ['061300', 'MATHEMATIQUES'],
  ['040300', 'HISTOIRE-GEOGRAPHIE'],
  ['030201', 'ANGLAIS LV1'],
  ['030602', 'ESPAGNOL LV2'],
  ['030402', 'ALLEMAND LV2'],
  ['063800', 'PHYSIQUE-CHIMIE'],
  ['062900', 'SCIENCES VIE & TERRE'],
  ['100100', 'ED.PHYSIQUE & SPORT.'],
  ['060600', 'SC. ECONO.& SOCIALES'],
  ['050100', 'PHILOSOPHIE'],
  ['040900', 'ENS. MORAL & CIVIQUE'],
];
const LEVELS = [
  { code: '2NDE', mef: '20010018110', label: '2NDE GENERALE ET TECHNOLOGIQUE', birth: 2010 },
  { code: '1G', mef: '20112001110', label: '1ERE GENERALE', birth: 2009 },
  { code: 'TG', mef: '20212001110', label: 'TERMINALE GENERALE', birth: 2008 },
];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function request(category: string, categoryAttr: string, id: string, attrs: [string, string[]][]): string {
  const body = attrs
    .filter(([, v]) => v.length)
    .map(([n, v]) => `      <attr name="${n}">${v.map((x) => `<value>${esc(x)}</value>`).join('')}</attr>`)
    .join('\n');
  return `  <addRequest>
    <operationalAttributes><attr name="${categoryAttr}"><value>${category}</value></attr></operationalAttributes>
    <identifier><id>${esc(id)}</id></identifier>
    <attributes>
${body}
    </attributes>
  </addRequest>
`;
}

function file(requests: string[], encoding: 'UTF-8' | 'ISO-8859-15'): Buffer {
  const xml = `<?xml version="1.0" encoding="${encoding}"?>\n<ficAlimMENESR>\n${requests.join('')}</ficAlimMENESR>\n`;
  return encoding === 'UTF-8' ? Buffer.from(xml, 'utf8') : iconv.encode(xml, 'iso-8859-15');
}

export function generateAafSet(opts: GeneratorOptions = {}): GeneratedFile[] {
  const nStudents = opts.students ?? 2000;
  const nGuardians = opts.guardians ?? Math.round(nStudents * 1.75);
  const nStaff = opts.staff ?? 200;
  const sk = opts.structureKey ?? '9300001';
  const digits = opts.uaiDigits ?? '0930001';
  const uai = `${digits}${uaiCheckLetter(digits)}`;
  const prefix = opts.prefix ?? 'G';
  const date = opts.date ?? '20260901';
  // One generator per person, seeded by its number: a smaller set is the beginning of a larger one.
  const seed = opts.seed ?? 20260901;
  let random = rng(seed);
  const person = (kind: number, i: number) => {
    random = rng(seed + kind * 1_000_003 + i * 7919);
  };
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');

  // Classes of about 35, split over the three levels; two language groups and a specialty group per class.
  const nClasses = Math.max(1, Math.ceil(nStudents / 35));
  const classes = Array.from({ length: nClasses }, (_, i) => {
    const level = LEVELS[i % LEVELS.length]!;
    return { code: `${level.code}${pad(Math.floor(i / LEVELS.length) + 1)}`, level };
  });
  const groups = classes.flatMap((c) => [
    { code: `${c.code}_LV2A`, label: `Allemand LV2 (${c.code})`, subject: '030402' },
    { code: `${c.code}_LV2E`, label: `Espagnol LV2 (${c.code})`, subject: '030602' },
  ]);

  const structure = request('EtabEducNat', 'categorieStructure', sk, [
    ['ENTStructureJointure', [sk]],
    ['ENTStructureUAI', [uai]],
    ['ENTStructureNomCourant', [`LYCEE GENERE ${sk}`]],
    ['ENTStructureTypeStruct', ['LYCEE']],
    ['ENTServAcAcademie', ['CRETEIL']],
    ['l', ['SAINT-DENIS']],
    ['ENTStructureClasses', classes.map((c) => `${c.code}$${c.code} (${c.level.label})`)],
    ['ENTStructureGroupes', groups.map((g) => `${g.code}$${g.label}`)],
  ]);
  const subjects = SUBJECTS.map(([code, label]) =>
    request('MatiereEducNat', 'categorieMatiere', code, [
      ['ENTMatJointure', [code]],
      ['ENTLibelleMatiere', [label]],
    ]),
  );
  const mefs = LEVELS.map((l) =>
    request('MefEducNat', 'categorieMef', l.mef, [
      ['ENTMefJointure', [l.mef]],
      ['ENTLibelleMef', [l.label]],
      ['ENTNivFormation', [l.label]],
    ]),
  );

  // Guardians first (students name them): the first students get two, the others one, in order.
  const guardianKeys = Array.from({ length: nGuardians }, (_, i) => `${prefix}R${pad(i + 1, 6)}`);
  const studentsOfGuardian = new Map<string, string[]>();
  const students: string[] = [];
  let g = 0;
  const withTwo = Math.max(0, nGuardians - nStudents);
  for (let i = 0; i < nStudents; i++) {
    person(1, i);
    const key = `${prefix}E${pad(i + 1, 6)}`;
    const c = classes[i % nClasses]!;
    const last = pick(LAST);
    const mine = guardianKeys.slice(g, g + (i < withTwo ? 2 : 1));
    g += mine.length;
    for (const gk of mine) studentsOfGuardian.set(gk, [...(studentsOfGuardian.get(gk) ?? []), key]);
    const lang = random() < 0.5 ? 'LV2A' : 'LV2E';
    students.push(
      request('Eleve', 'categoriePersonne', key, [
        ['ENTPersonJointure', [key]],
        [
          'ENTEleveINE',
          [`${pad(i + 1, 9)}${String.fromCharCode(65 + (i % 26))}${String.fromCharCode(65 + ((i * 7) % 26))}`],
        ],
        ['sn', [last]],
        ['givenName', [pick(FIRST)]],
        ['personalTitle', [random() < 0.5 ? 'M.' : 'Mme']],
        [
          'ENTPersonDateNaissance',
          [`${pad(1 + Math.floor(random() * 28))}/${pad(1 + Math.floor(random() * 12))}/${c.level.birth}`],
        ],
        ['ENTPersonStructRattach', [sk]],
        ['ENTEleveClasses', [`${sk}$${c.code}`]],
        ['ENTEleveGroupes', [`${sk}$${c.code}_${lang}`]],
        ['ENTEleveMEF', [c.level.mef]],
        ['ENTEleveLibelleMEF', [c.level.label]],
        [
          'ENTElevePersRelEleve',
          mine.map((gk, j) => `${gk}$${j === 0 ? 20 : 10}$1$${j === 0 ? 1 : random() < 0.9 ? 1 : 2}$1$1`),
        ],
      ]),
    );
  }
  const guardians = guardianKeys.map((key, i) => {
    person(2, i);
    return request('PersRelEleve', 'categoriePersonne', key, [
      ['ENTPersonJointure', [key]],
      ['sn', [pick(LAST)]],
      ['givenName', [pick(FIRST)]],
      ['personalTitle', [i % 2 ? 'M.' : 'Mme']],
      ['mail', random() < 0.8 ? [`parent${i + 1}@example.fr`] : []],
      [
        'mobile',
        random() < 0.9
          ? [`06 ${pad(i % 100)} ${pad((i * 7) % 100)} ${pad((i * 13) % 100)} ${pad((i * 17) % 100)}`]
          : [],
      ],
      ['ENTPersonAdresse', [`${1 + (i % 120)} rue de la République`]],
      ['ENTPersonCodePostal', ['93200']],
      ['ENTPersonVille', ['SAINT-DENIS']],
      ['ENTAuxPersRelEleveEleve', studentsOfGuardian.get(key) ?? []],
    ]);
  });

  // Staff: a principal and deputy, school life, library, office, the rest teachers sharing the classes.
  const teachers = Math.max(1, nStaff - Math.min(nStaff - 1, 2 + Math.ceil(nStaff * 0.15)));
  const teaching: string[][] = Array.from({ length: teachers }, () => []);
  const heads: string[][] = Array.from({ length: teachers }, () => []);
  const classSubjects = SUBJECTS.filter(([code]) => code !== '030402' && code !== '030602');
  let t = 0;
  for (const c of classes)
    for (const [code] of classSubjects) {
      teaching[t % teachers]!.push(`${sk}$${c.code}$${code}`);
      t++;
    }
  const groupTeaching: string[][] = Array.from({ length: teachers }, () => []);
  groups.forEach((gr, i) => {
    groupTeaching[i % teachers]!.push(`${sk}$${gr.code}$${gr.subject}`);
  });
  classes.forEach((c, i) => {
    heads[i % teachers]!.push(`${sk}$${c.code}`);
  });
  const staff: string[] = [];
  for (let i = 0; i < nStaff; i++) {
    const key = `${prefix}P${pad(i + 1, 6)}`;
    person(3, i);
    const teacherNo = i - (nStaff - teachers);
    let fn: string;
    if (teacherNo >= 0) fn = `${sk}$ENS$ENSEIGNEMENT$L1300$ENSEIGNANT`;
    else if (i < 2) fn = `${sk}$DIR$DIRECTION$PROV$PROVISEUR`;
    else if (i % 3 === 0) fn = `${sk}$EDU$EDUCATION$CPE$CONSEILLER PRINCIPAL D'EDUCATION`;
    else if (i % 3 === 1) fn = `${sk}$DOC$DOCUMENTATION$DOC$DOCUMENTALISTE`;
    else fn = `${sk}$ADF$PERSONNELS ADMINISTRATIFS$SAENES$SECRETAIRE`;
    const last = pick(LAST);
    const first = pick(FIRST);
    staff.push(
      request('PersEducNat', 'categoriePersonne', key, [
        ['ENTPersonJointure', [key]],
        ['sn', [last]],
        ['givenName', [first]],
        ['personalTitle', [random() < 0.5 ? 'M.' : 'Mme']],
        ['mail', [`agent${i + 1}@ac-creteil.fr`]],
        ['ENTPersonStructRattach', [sk]],
        ['ENTPersonFonctions', [fn]],
        ['ENTAuxEnsClassesMatieres', teacherNo >= 0 ? teaching[teacherNo]! : []],
        ['ENTAuxEnsGroupesMatieres', teacherNo >= 0 ? groupTeaching[teacherNo]! : []],
        ['ENTAuxEnsClassesPrincipal', teacherNo >= 0 ? heads[teacherNo]! : []],
        ['PersEducNatPresenceDevantEleves', [teacherNo >= 0 ? 'O' : 'N']],
      ]),
    );
  }

  const name = (type: string, part: number) => `ENT2D_Complet_${date}_${type}_${pad(part, 4)}.xml`;
  const half = (xs: string[]) => [xs.slice(0, Math.ceil(xs.length / 2)), xs.slice(Math.ceil(xs.length / 2))];
  const [s1, s2] = half(students);
  const [g1, g2] = half(guardians);
  return [
    { name: name('EtabEducNat', 1), content: file([structure], 'UTF-8') },
    { name: name('MatiereEducNat', 1), content: file(subjects, 'UTF-8') },
    { name: name('MefEducNat', 1), content: file(mefs, 'UTF-8') },
    { name: name('Eleve', 1), content: file(s1!, 'UTF-8') },
    { name: name('Eleve', 2), content: file(s2!, 'ISO-8859-15') },
    { name: name('PersRelEleve', 1), content: file(g1!, 'ISO-8859-15') },
    { name: name('PersRelEleve', 2), content: file(g2!, 'UTF-8') },
    { name: name('PersEducNat', 1), content: file(staff, 'UTF-8') },
  ];
}

if (import.meta.main) {
  const [dir, students, guardians, staff] = process.argv.slice(2);
  if (!dir) {
    process.stderr.write('Usage: node test/aaf-generator.ts <folder> [students] [guardians] [staff]\n');
    process.exit(2);
  }
  mkdirSync(dir, { recursive: true });
  const files = generateAafSet({
    students: students ? Number(students) : undefined,
    guardians: guardians ? Number(guardians) : undefined,
    staff: staff ? Number(staff) : undefined,
  });
  for (const f of files) writeFileSync(join(dir, f.name), f.content);
  const bytes = files.reduce((n, f) => n + f.content.length, 0);
  process.stdout.write(`${files.length} files, ${(bytes / 1e6).toFixed(1)} MB in ${dir}\n`);
}
