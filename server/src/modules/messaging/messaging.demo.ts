import { type AuthorizedDb, trustedDb } from '../../platform/access/authorize.ts';
import type { DemoWorld } from '../../platform/module.ts';
import { markSourceRead, notify } from '../timeline/index.ts';
import { listMembers, type ParsedList, parseList } from './messaging.access.ts';
import { toText } from './messaging.content.ts';
import { backdate, demoPlaceOf, fanOut, messages } from './messaging.repository.ts';

/**
 * The demo académie's conversations at the lycée: a teacher writing to the parents of 2NDE1 and a mother's
 * answer, the CPE about a lateness, a student's question and its answer, the direction's announcements
 * "sans réponse possible" to the staff and to every parent. Some read, some not: each persona's first look shows
 * messaging alive.
 */
export async function seedMessagingDemo(world: DemoWorld): Promise<void> {
  const db = trustedDb(world.db, 'demo seed');
  const a = world.accounts;
  const [prof, eleve, parent, cpe, direction] = [
    a['prof.demo'],
    a['eleve.demo'],
    a['parent.demo'],
    a['cpe.demo'],
    a['direction.demo'],
  ];
  if (!prof || !eleve || !parent || !cpe || !direction) return;
  const place = await demoPlaceOf(db, eleve);
  if (!place) return;
  const est = place.establishment_id;
  const day = 86_400_000;
  const now = Date.now();

  const post = async (o: {
    from: string;
    fromName: string;
    to: string[];
    labels: string[];
    subject: string;
    html: string;
    ago: number;
    noReply?: boolean;
    parent?: { id: string; thread: string };
    readBy?: string[];
  }) => {
    const lists = o.to.map(parseList).filter((l): l is ParsedList => l !== null);
    const persons = o.to.filter((t) => !t.includes('.'));
    const members = await listMembers(db, { id: o.from, establishmentId: est, profiles: [] }, lists);
    const recipients = [...new Set([...persons, ...members.map((m) => m.user_id)])].filter((u) => u !== o.from);
    const counts: Record<string, number> = {};
    for (const m of members) counts[m.profile] = (counts[m.profile] ?? 0) + 1;
    return world.db.transaction().execute(async (t) => {
      const trx = t as unknown as AuthorizedDb;
      const row = await messages.insert(trx, {
        establishmentId: est,
        threadId: o.parent?.thread ?? null,
        parentId: o.parent?.id ?? null,
        forwardOf: null,
        senderId: o.from,
        subject: o.subject,
        bodyHtml: o.html,
        bodyText: toText(o.html),
        status: 'sent',
        noReply: o.noReply ?? false,
        toSpec: o.to.map((id, i) => ({ id, label: o.labels[i] ?? '' })),
        draftAttachments: [],
        recipientCount: recipients.length,
        profileCounts: counts,
        hasAttachments: false,
      });
      await fanOut(trx, row.id, est, new Date(row.sent_at!), recipients);
      await notify(trx, {
        establishmentId: est,
        kind: 'messaging.message.new',
        recipients,
        text: { fr: `Nouveau message de ${o.fromName} : « ${o.subject} »` },
        link: `/messaging/messages/${row.id}`,
        actorId: o.from,
        source: { type: 'message', id: row.id },
      });
      await backdate(trx, row.id, new Date(now - o.ago));
      for (const reader of o.readBy ?? []) {
        await messages.markRead(trx, row.id, reader, true);
        await markSourceRead(trx, reader, { type: 'message', id: row.id });
      }
      // demo mails are not sent: nobody asked for them
      return { id: row.id, thread: (await messages.byId(trx, row.id))!.thread_id };
    });
  };

  const outing = await post({
    from: prof,
    fromName: 'PROFESSEUR Paul',
    to: [`class.${place.class_id}.guardians`],
    labels: [`parents de ${place.code}`],
    subject: 'Sortie au musée d’Orsay le jeudi 12 mars',
    html: `<p>Madame, Monsieur,</p><p>Les élèves de ${place.code} visiteront le <strong>musée d’Orsay</strong> le jeudi 12 mars de 9 h à 16 h, dans le cadre du cours de mathématiques et d’histoire des arts.</p><ul><li>Départ du lycée à 8 h 30, retour vers 16 h 30 ;</li><li>prévoir un repas froid ;</li><li>l’autorisation de sortie est à rendre signée avant le 5 mars.</li></ul><p>Bien cordialement,<br>M. Professeur, professeur principal</p>`,
    ago: 3 * day,
    readBy: [parent],
  });
  await post({
    from: parent,
    fromName: 'PARENT Nadia',
    to: [prof],
    labels: ['PROFESSEUR Paul'],
    subject: 'RE: Sortie au musée d’Orsay le jeudi 12 mars',
    html: '<p>Bonjour Monsieur,</p><p>Emma participera avec plaisir à la sortie. L’autorisation signée est dans son carnet de correspondance.</p><p>Bien cordialement,<br>Nadia Parent</p>',
    ago: 2 * day,
    parent: outing,
  });
  await post({
    from: cpe,
    fromName: 'CPE Karim',
    to: [parent],
    labels: ['PARENT Nadia'],
    subject: 'Retard d’Emma ce matin',
    html: '<p>Bonjour Madame,</p><p>Emma est arrivée à 8 h 25 ce matin, après le début du cours. Pourriez-vous nous en indiquer la raison, par retour de message ou dans le carnet ?</p><p>Cordialement,<br>M. Cpe, conseiller principal d’éducation</p>',
    ago: 5 * 3_600_000,
  });
  const question = await post({
    from: eleve,
    fromName: 'ÉLÈVE Emma',
    to: [prof],
    labels: ['PROFESSEUR Paul'],
    subject: 'Question sur l’exercice 4 page 112',
    html: '<p>Bonjour Monsieur,</p><p>Je ne comprends pas la question b) de l’exercice 4 page 112 : faut-il factoriser avant de développer ?</p><p>Merci,<br>Emma</p>',
    ago: day + 4 * 3_600_000,
    readBy: [prof],
  });
  await post({
    from: prof,
    fromName: 'PROFESSEUR Paul',
    to: [eleve],
    labels: ['ÉLÈVE Emma'],
    subject: 'RE: Question sur l’exercice 4 page 112',
    html: '<p>Bonjour Emma,</p><p>Oui : commence par factoriser par <em>(x − 2)</em>, le développement vient ensuite. Nous corrigerons l’exercice ensemble jeudi.</p><p>M. Professeur</p>',
    ago: day,
    parent: question,
  });
  await post({
    from: direction,
    fromName: 'DIRECTION Claire',
    to: ['all.personnel'],
    labels: ['tous les personnels'],
    subject: 'Conseil pédagogique jeudi à 17 h',
    html: '<p>Mesdames, Messieurs,</p><p>Le conseil pédagogique se réunira <strong>jeudi à 17 h</strong> en salle du conseil. Ordre du jour : projet d’établissement, répartition des heures de soutien.</p><p>La direction</p>',
    ago: 4 * day,
    noReply: true,
    readBy: [prof, cpe],
  });
  await post({
    from: direction,
    fromName: 'DIRECTION Claire',
    to: ['all.guardians'],
    labels: ['tous les parents'],
    subject: 'Réunion parents-professeurs des classes de seconde',
    html: '<p>Madame, Monsieur,</p><p>La réunion parents-professeurs des classes de seconde aura lieu le <strong>mardi 17 mars à partir de 17 h 30</strong>. Les rendez-vous se prennent auprès du professeur principal.</p><p>La direction</p>',
    ago: 6 * 3_600_000,
    noReply: true,
  });
  await post({
    from: cpe,
    fromName: 'CPE Karim',
    to: [direction],
    labels: ['DIRECTION Claire'],
    subject: 'Point hebdomadaire sur les absences',
    html: '<p>Bonjour,</p><p>Cette semaine : 3,2 % d’absences en seconde, 2 situations à suivre en 2NDE3. Je vous propose d’en parler lundi.</p><p>Karim Cpe</p>',
    ago: 2 * day,
    readBy: [direction],
  });
}
