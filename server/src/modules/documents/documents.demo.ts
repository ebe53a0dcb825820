import { Readable } from 'node:stream';
import { deflateSync } from 'node:zlib';
import PDFDocument from 'pdfkit';
import { trustedDb } from '../../platform/access/authorize.ts';
import { relations } from '../../platform/access/relations.repository.ts';
import type { DemoWorld } from '../../platform/module.ts';
import { notify } from '../timeline/index.ts';
import { blobs, delegates, directory, documents, folders, shares, spaces, versions } from './documents.repository.ts';
import type { LibraryMetaColumn } from './documents.tables.ts';

/**
 * The demo's documents, so that every persona's first look shows the service alive: prof.demo's worksheets in
 * the 2NDE1 class space (a folder opened to the families), their own preparations, the direction's
 * administrative space (folders for teachers, for school life), a note shared with all parents, and two
 * resources in the académie's library. The files are real: PDFs drawn with pdfkit, a PNG chart, plain text.
 */

// The standard PDF fonts speak WinAnsi: the demo's French fits; typographic apostrophes are kept plain.
function pdf(title: string, blocks: (string | { heading: string })[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', margin: 56, info: { Title: title, Author: 'Préau (démo)' } });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.font('Helvetica-Bold').fontSize(18).text(title);
    doc.moveDown();
    for (const b of blocks) {
      if (typeof b === 'string') doc.font('Helvetica').fontSize(11).text(b, { align: 'justify' }).moveDown(0.6);
      else doc.font('Helvetica-Bold').fontSize(13).text(b.heading).moveDown(0.3);
    }
    doc.end();
  });
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/** A 480×320 PNG: axes, a grid and the line y = 2x − 1, in DSFR blue. */
export function chartPng(): Buffer {
  const w = 480;
  const h = 320;
  const px = Buffer.alloc((w * 3 + 1) * h, 255);
  const set = (x: number, y: number, [r, g, b]: [number, number, number]) => {
    if (x < 0 || y < 0 || x >= w || y >= h) return;
    const i = y * (w * 3 + 1) + 1 + x * 3;
    px[i] = r;
    px[i + 1] = g;
    px[i + 2] = b;
  };
  for (let y = 0; y < h; y++) px[y * (w * 3 + 1)] = 0; // filter: none
  const unit = 32;
  const ox = 160;
  const oy = 224;
  for (let x = 0; x < w; x++)
    for (let y = 0; y < h; y++) if ((x - ox) % unit === 0 || (y - oy) % unit === 0) set(x, y, [221, 221, 221]);
  for (let x = 0; x < w; x++) for (const d of [0, 1]) set(x, oy + d, [58, 58, 58]);
  for (let y = 0; y < h; y++) for (const d of [0, 1]) set(ox + d, y, [58, 58, 58]);
  for (let x = 0; x < w; x++) {
    const vx = (x - ox) / unit;
    const vy = 2 * vx - 1;
    const y = Math.round(oy - vy * unit);
    for (let t = -2; t <= 2; t++) set(x, y + t, [0, 0, 145]);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(px)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const text = (s: string) => Buffer.from(s, 'utf8');

export async function seedDocumentsDemo(world: DemoWorld): Promise<void> {
  const db = trustedDb(world.db, 'demo seed');
  const prof = world.accounts['prof.demo'];
  const direction = world.accounts['direction.demo'];
  const eleve = world.accounts['eleve.demo'];
  const cpe = world.accounts['cpe.demo'];
  const lycee = world.establishments.find((e) => e.name.startsWith('Lycée'));
  if (!prof || !direction || !eleve || !cpe || !lycee) return;
  const est = lycee.id;
  const { classes } = await directory.classesAndGroups(db, est);
  const c2nde1 = classes.find((c) => c.code === '2NDE1');
  if (!c2nde1) return;
  const academyId = (await spaces.academyOf(db, est))!;
  const listed = await spaces.ensureAndList(db, {
    establishmentId: est,
    ownerId: prof,
    classIds: [c2nde1.id],
    groupIds: [],
    admin: true,
    academyId,
  });
  const classSpace = listed.find((r) => r.kind === 'class')!;
  const admin = listed.find((r) => r.kind === 'admin')!;
  const libSpace = listed.find((r) => r.kind === 'library')!;
  const profSpace = listed.find((r) => r.kind === 'personal')!;
  const directionSpace = await spaces.ensurePersonal(db, est, direction);
  const eleveSpace = await spaces.ensurePersonal(db, est, eleve);
  const names = await directory.names(db, [prof, direction]);

  const folder = async (
    spaceId: string,
    name: string,
    by: string,
    opts: { parent?: string; guardians?: boolean; audience?: string[]; establishment?: string } = {},
  ) => {
    const f = await folders.insert(db, {
      establishment_id: opts.establishment ?? est,
      space_id: spaceId,
      parent_id: opts.parent ?? null,
      ancestors: opts.parent ? [opts.parent] : [],
      name,
      created_by: by,
    });
    if (opts.guardians || opts.audience) {
      await folders.update(db, f.id, {
        ...(opts.guardians ? { guardians_can_read: true } : {}),
        ...(opts.audience ? { audience: opts.audience } : {}),
      });
    }
    return f.id;
  };

  const file = async (
    spaceId: string,
    folderId: string | null,
    name: string,
    by: string,
    bodies: Buffer[],
    mime: string,
    opts: { establishment?: string | null; library?: LibraryMetaColumn } = {},
  ) => {
    const establishment = opts.establishment === undefined ? est : opts.establishment;
    let id: string | null = null;
    let no = 0;
    for (const body of bodies) {
      const temp = await world.storage.writeTemp(Readable.from([body]), { maxBytes: body.length });
      await blobs.touch(db, temp.sha256, temp.size);
      await world.storage.commit(temp);
      no++;
      if (!id) {
        id = (
          await documents.insert(db, {
            establishment_id: establishment,
            space_id: spaceId,
            folder_id: folderId,
            name,
            size: temp.size,
            mime,
            created_by: by,
            ...(opts.library ? { library: JSON.stringify(opts.library), published_by: by, published_from: est } : {}),
          })
        ).id;
      }
      await versions.insert(db, {
        document_id: id,
        establishment_id: establishment,
        no,
        sha256: temp.sha256,
        size: temp.size,
        mime,
        created_by: by,
      });
      await documents.setCurrent(db, id, { no, size: temp.size, mime });
    }
    return id!;
  };

  const PDF = 'application/pdf';
  const TXT = 'text/plain; charset=utf-8';

  // 2NDE1: prof.demo's chapter, and a folder opened to the families.
  const chapter = await folder(classSpace.id, 'Chapitre 3 — Fonctions affines', prof);
  const worksheet = await file(
    classSpace.id,
    chapter,
    "Fiche d'exercices — fonctions affines.pdf",
    prof,
    [
      await pdf("Fiche d'exercices — fonctions affines", [
        'Seconde 1 — Mathématiques — M. Professeur',
        { heading: 'Exercice 1' },
        'Soit f la fonction définie sur R par f(x) = 2x - 1. Calculer f(0), f(3) et f(-2).',
        { heading: 'Exercice 2' },
        "Tracer la représentation graphique de f dans un repère orthonormé. Quel est son coefficient directeur ? Son ordonnée à l'origine ?",
        { heading: 'Exercice 3' },
        'Déterminer la fonction affine g telle que g(1) = 4 et g(3) = 10.',
        { heading: 'Exercice 4' },
        "Résoudre graphiquement puis par le calcul l'inéquation 2x - 1 > 5.",
      ]),
    ],
    PDF,
  );
  await file(classSpace.id, chapter, 'Représentation graphique de f.png', prof, [chartPng()], 'image/png');
  await file(
    classSpace.id,
    chapter,
    'Correction des exercices 1 à 4.pdf',
    prof,
    [
      await pdf('Correction des exercices 1 à 4', [
        'Première version : exercices 1 et 2.',
        'f(0) = -1 ; f(3) = 5 ; f(-2) = -5.',
      ]),
      await pdf('Correction des exercices 1 à 4', [
        'f(0) = -1 ; f(3) = 5 ; f(-2) = -5.',
        "Coefficient directeur : 2 ; ordonnée à l'origine : -1.",
        'g(x) = 3x + 1.',
        '2x - 1 > 5 équivaut à x > 3.',
      ]),
    ],
    PDF,
  );
  const families = await folder(classSpace.id, 'Informations aux familles', prof, { guardians: true });
  await file(
    classSpace.id,
    families,
    'Sortie au Palais de la découverte — autorisation.pdf',
    prof,
    [
      await pdf('Sortie au Palais de la découverte', [
        'Madame, Monsieur,',
        'La classe de Seconde 1 se rendra au Palais de la découverte le jeudi 15 octobre. Départ du lycée à 8 h 30, retour vers 16 h 30.',
        "Merci de rendre l'autorisation ci-dessous signée au professeur principal avant le 8 octobre.",
        'Je soussigné(e) ........................................ autorise mon enfant à participer à la sortie.',
      ]),
    ],
    PDF,
  );
  await file(
    classSpace.id,
    families,
    'Liste du matériel de mathématiques.txt',
    prof,
    [
      text(
        'Matériel de mathématiques — Seconde 1\n\n- une calculatrice graphique (mode examen)\n- un cahier grand format 24 × 32\n- une règle, une équerre, un compas\n',
      ),
    ],
    TXT,
  );
  await file(
    classSpace.id,
    null,
    'Progression du premier trimestre.pdf',
    prof,
    [
      await pdf('Progression du premier trimestre — Seconde 1', [
        'Septembre : nombres et calculs, intervalles.',
        'Octobre : fonctions, généralités ; fonctions affines.',
        'Novembre : statistiques descriptives.',
        'Décembre : vecteurs du plan.',
      ]),
    ],
    PDF,
  );

  // prof.demo's own documents.
  const prep = await folder(profSpace.id, 'Préparations de cours', prof);
  await file(
    profSpace.id,
    prep,
    'Cours — fonctions affines (brouillon).txt',
    prof,
    [text('Plan du cours\n1. Définition\n2. Représentation graphique\n3. Sens de variation\n4. Signe de ax + b\n')],
    TXT,
  );
  const meeting = await file(
    profSpace.id,
    null,
    'Notes — réunion parents-professeurs.txt',
    prof,
    [
      text(
        'Réunion parents-professeurs de Seconde 1\n\nPoints à aborder : méthodes de travail, usage de la calculatrice, sortie du 15 octobre.\n',
      ),
    ],
    TXT,
  );
  await shares.upsert(db, {
    establishment_id: est,
    document_id: meeting,
    folder_id: null,
    grantee_kind: 'user',
    grantee_id: cpe,
    grantee_profile: null,
    right: 'read',
    created_by: prof,
  });

  // eleve.demo's own space.
  await file(
    eleveSpace.id,
    null,
    'Exposé SVT — la photosynthèse.txt',
    eleve,
    [
      text(
        "La photosynthèse\n\nLes plantes vertes fabriquent leur matière organique à partir de la lumière, de l'eau et du dioxyde de carbone.\n",
      ),
    ],
    TXT,
  );

  // The direction: the administrative space, cpe.demo named to contribute; a note shared with all parents.
  await delegates.replace(db, est, 'admin_contributor', [cpe], direction);
  await delegates.replace(db, est, 'resource_person', [prof, direction], direction);
  const councils = await folder(admin.id, 'Conseils pédagogiques', direction, { audience: ['teacher'] });
  await file(
    admin.id,
    councils,
    'Compte rendu du conseil pédagogique du 15 septembre.pdf',
    direction,
    [
      await pdf('Conseil pédagogique du 15 septembre', [
        'Présents : la direction, les coordonnateurs de discipline.',
        "Ordre du jour : projet d'établissement, dispositifs d'accompagnement personnalisé, calendrier des conseils de classe.",
        "Décision : l'accompagnement personnalisé de Seconde est organisé en barrettes le mardi de 10 h à 12 h.",
      ]),
    ],
    PDF,
  );
  const schoolLife = await folder(admin.id, 'Vie scolaire', cpe, { audience: ['staff'] });
  await file(
    admin.id,
    schoolLife,
    "Protocole d'accueil des élèves en retard.pdf",
    cpe,
    [
      await pdf("Protocole d'accueil des élèves en retard", [
        "Tout élève en retard passe par la vie scolaire, qui lui remet un billet d'entrée en classe.",
        'Au-delà de trois retards dans le mois, la famille est contactée par le CPE.',
      ]),
    ],
    PDF,
  );
  await file(
    admin.id,
    null,
    'Calendrier des conseils de classe — premier trimestre.pdf',
    direction,
    [
      await pdf('Calendrier des conseils de classe — premier trimestre', [
        'Secondes : du 1er au 4 décembre, à partir de 17 h.',
        'Premières : du 7 au 10 décembre.',
        'Terminales : du 11 au 15 décembre.',
      ]),
    ],
    PDF,
  );
  const note = await file(
    directionSpace.id,
    null,
    'Note de rentrée aux familles.pdf',
    direction,
    [
      await pdf('Note de rentrée aux familles', [
        'Madame, Monsieur,',
        "Bienvenue au lycée Jean Jaurès. L'espace numérique de travail Préau vous donne accès au cahier de textes, aux absences, aux notes et aux documents de la classe de votre enfant.",
        "Les codes d'activation vous sont remis par le professeur principal.",
      ]),
    ],
    PDF,
  );
  const shared = await shares.upsert(db, {
    establishment_id: est,
    document_id: note,
    folder_id: null,
    grantee_kind: 'profile',
    grantee_id: null,
    grantee_profile: 'guardian',
    right: 'read',
    created_by: direction,
  });

  // The académie's library.
  await file(
    libSpace.id,
    null,
    "Fiche méthode — tracer la représentation graphique d'une fonction affine.pdf",
    prof,
    [
      await pdf("Fiche méthode — tracer la représentation graphique d'une fonction affine", [
        '1. Calculer deux images, par exemple f(0) et f(2).',
        '2. Placer les deux points dans le repère.',
        '3. Tracer la droite passant par ces deux points.',
        "Vérifier : le coefficient directeur se lit en avançant d'une unité.",
      ]),
    ],
    PDF,
    {
      establishment: null,
      library: {
        discipline: '061300',
        level: '2nde',
        author: 'Paul Professeur',
        licence: 'CC-BY-SA',
        attribution: 'Lycée Jean Jaurès, équipe de mathématiques',
      },
    },
  );
  await file(
    libSpace.id,
    null,
    "Tutoriel — déposer un document dans l'ENT.pdf",
    direction,
    [
      await pdf("Tutoriel — déposer un document dans l'ENT", [
        'Ouvrez « Espace documentaire » depuis le portail.',
        "Choisissez l'espace de la classe, puis glissez vos fichiers dans la zone de dépôt : une barre de progression suit chaque fichier.",
        'Pour partager avec les familles, ouvrez le dossier aux parents de la classe.',
      ]),
    ],
    PDF,
    {
      establishment: null,
      library: {
        discipline: null,
        level: 'all',
        author: 'Direction du lycée Jean Jaurès',
        licence: 'LO-2.0',
        attribution: 'Académie de démonstration',
      },
    },
  );

  // The collège: prof.demo's 6A (parent.demo's second child is there), so that their first look, which is the
  // collège's (establishments by name), shows the service alive too.
  const college = world.establishments.find((e) => e.name.startsWith('Collège'));
  const c6a = college
    ? (await directory.classesAndGroups(db, college.id)).classes.find((c) => c.code === '6A')
    : undefined;
  if (college && c6a) {
    const rows = await spaces.ensureAndList(db, {
      establishmentId: college.id,
      ownerId: prof,
      classIds: [c6a.id],
      groupIds: [],
      admin: false,
      academyId: null,
    });
    const sixA = rows.find((r) => r.kind === 'class')!;
    const mineThere = rows.find((r) => r.kind === 'personal')!;
    const on = { establishment: college.id };
    await file(
      sixA.id,
      null,
      'Fiche — nombres décimaux.pdf',
      prof,
      [
        await pdf('Fiche — nombres décimaux', [
          'Sixième A — Mathématiques',
          "1. Ranger dans l'ordre croissant : 3,05 ; 3,5 ; 3,005 ; 3,45.",
          '2. Placer sur une droite graduée : 0,2 ; 0,75 ; 1,1.',
          '3. Calculer : 12,5 + 7,75 et 20 - 3,6.',
        ]),
      ],
      PDF,
      on,
    );
    const info = await folder(sixA.id, 'Informations aux familles', prof, {
      guardians: true,
      establishment: college.id,
    });
    await file(
      sixA.id,
      info,
      'Réunion de rentrée des sixièmes.pdf',
      prof,
      [
        await pdf('Réunion de rentrée des sixièmes', [
          "Les parents des élèves de sixième sont invités à rencontrer l'équipe pédagogique le mardi 15 septembre à 18 h, en salle polyvalente.",
        ]),
      ],
      PDF,
      on,
    );
    await file(
      mineThere.id,
      null,
      'Progression — sixième.txt',
      prof,
      [text('Progression de sixième\n\nPériode 1 : nombres entiers et décimaux.\nPériode 2 : fractions.\n')],
      TXT,
      on,
    );
  }

  // The timeline: the worksheet announced to 2NDE1, the note to every parent.
  const students = (await relations.studentsOfClasses(db, [c2nde1.id])).get(c2nde1.id) ?? new Set<string>();
  const guardians = await relations.holdersOf(db, est, ['guardian']);
  await notify(db, {
    establishmentId: est,
    kind: 'documents.added',
    recipients: students,
    text: {
      fr: `${names.get(prof)} a ajouté « Fiche d'exercices — fonctions affines.pdf » dans l'espace Classe ${c2nde1.label}.`,
      en: `${names.get(prof)} added “Fiche d'exercices — fonctions affines.pdf” to the space Class ${c2nde1.label}.`,
    },
    link: `/documents/files/${worksheet}`,
    actorId: prof,
    source: { type: 'document', id: worksheet },
  });
  await notify(db, {
    establishmentId: est,
    kind: 'documents.shared',
    recipients: guardians,
    text: {
      fr: `${names.get(direction)} a partagé « Note de rentrée aux familles.pdf » avec vous.`,
      en: `${names.get(direction)} shared “Note de rentrée aux familles.pdf” with you.`,
    },
    link: `/documents/files/${note}`,
    actorId: direction,
    source: { type: 'document_share', id: shared.id },
  });
}
