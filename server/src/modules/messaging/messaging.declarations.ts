import { trustedDb } from '../../platform/access/authorize.ts';
import type { IndicatorDefinition, NotificationKind, PersonalDataDeclaration } from '../../platform/module.ts';
import { indicators, messagesOfPerson } from './messaging.repository.ts';

export const messagingNotifications: NotificationKind[] = [
  {
    kind: 'messaging.message.new',
    label: { fr: 'Nouveau message', en: 'New message' },
    profiles: ['student', 'guardian', 'teacher', 'staff', 'principal', 'local_admin'],
    defaultDelivery: 'email',
  },
  {
    kind: 'messaging.abuse.alert',
    label: { fr: 'Alerte d’envoi massif inhabituel', en: 'Unusual mass sending alert' },
    profiles: ['principal'],
    defaultDelivery: 'email',
  },
];

const sentBy = (profile: string, fr: string, en: string): IndicatorDefinition => ({
  key: `messaging.sent_by_${profile}`,
  label: { fr, en },
  unit: 'count',
  compute: async (db, establishmentId, period) => ({
    value: await indicators.sentBy(trustedDb(db, 'indicator of the rollout cockpit'), establishmentId, period, profile),
  }),
});

export const messagingIndicators: IndicatorDefinition[] = [
  {
    key: 'messaging.messages_sent',
    label: { fr: 'Messages envoyés', en: 'Messages sent' },
    unit: 'count',
    compute: async (db, establishmentId, period) => ({
      value: await indicators.messagesSent(trustedDb(db, 'indicator of the rollout cockpit'), establishmentId, period),
    }),
  },
  sentBy('student', 'Messages envoyés par les élèves', 'Messages sent by students'),
  sentBy('guardian', 'Messages envoyés par les parents', 'Messages sent by guardians'),
  sentBy('teacher', 'Messages envoyés par les enseignants', 'Messages sent by teachers'),
  sentBy('staff', 'Messages envoyés par les personnels', 'Messages sent by staff'),
  {
    key: 'messaging.guardians_reading',
    label: {
      fr: 'Part des parents ayant lu au moins un message',
      en: 'Share of guardians who read at least one message',
    },
    unit: 'rate',
    compute: async (db, establishmentId, period) => {
      const r = await indicators.guardiansReading(
        trustedDb(db, 'indicator of the rollout cockpit'),
        establishmentId,
        period,
      );
      return { value: r.guardians ? r.readers / r.guardians : 0, numerator: r.readers, denominator: r.guardians };
    },
  },
];

export const messagingPersonalData: PersonalDataDeclaration = {
  purpose: {
    fr: "Permettre aux membres de l'établissement de s'écrire dans le respect des règles de communication fixées par la direction.",
    en: 'Let the members of the establishment write to each other within the communication rules set by the direction.',
  },
  legalBasis: {
    fr: "Mission d'intérêt public de l'établissement (RGPD, art. 6-1-e) ; arrêté ENT du 30 novembre 2006.",
    en: "The school's public-interest mission (GDPR art. 6-1-e); French ENT decree of 30 November 2006.",
  },
  categories: [
    {
      key: 'messages',
      label: { fr: 'Messages envoyés et reçus', en: 'Messages sent and received' },
      fields: ['subject', 'body', 'sender', 'recipients', 'sentAt', 'attachments'],
    },
    {
      key: 'mailbox',
      label: { fr: 'Lecture, dossiers et corbeille', en: 'Read marks, folders and trash' },
      fields: ['readAt', 'folder', 'deletedAt'],
    },
    {
      key: 'moderation',
      label: { fr: "Alertes d'envoi massif et retraits par la direction", en: 'Mass-sending alerts and purges' },
      fields: ['sender', 'reason', 'counts', 'purgedBy', 'purgedAt'],
    },
  ],
  audience: {
    fr: "L'expéditeur et les destinataires d'un message ; la direction pour un envoi massif signalé ou un retrait (tracé dans le journal d'audit).",
    en: 'The sender and recipients of a message; the direction for a reported mass sending or a purge (written to the audit trail).',
  },
  retention: {
    fr: 'Deux ans après l’envoi ; la corbeille est vidée au bout de 30 jours ; un message retiré par la direction est effacé aussitôt (sa trace reste un an dans le journal d’audit).',
    en: 'Two years after sending; the trash is emptied after 30 days; a message purged by the direction is erased at once (its trace stays a year in the audit trail).',
  },
  exportFor: async (db, userId) => {
    const rows = await messagesOfPerson(trustedDb(db, 'the person’s own data export'), userId);
    return {
      messages: rows.map((r) => ({
        role: r.role,
        subject: r.subject,
        body: r.body_text,
        sender: r.sender,
        sentAt: r.sent_at ? new Date(r.sent_at).toISOString() : null,
        readAt: r.read_at ? new Date(r.read_at).toISOString() : null,
        folder: r.folder,
      })),
    };
  },
};
