import {
  type AttachmentInput,
  type Audience,
  ESTABLISHMENT_PROFILES,
  type EstablishmentProfile,
  type Folders,
  type MailboxItem,
  type MailboxPage,
  type MessageView,
  type MessagingSettings,
  type Moderation,
  type ProfileCaps,
  RECIPIENT_CATEGORIES,
  type RecipientCategory,
  type RecipientItem,
  type Rules,
  type SendMessageBody,
} from '@preau/contracts';
import { requireEstablishmentPermission } from '../../platform/access/access.ts';
import { type Authorized, type AuthorizedDb, authorize } from '../../platform/access/authorize.ts';
import { relations } from '../../platform/access/relations.repository.ts';
import { audit } from '../../platform/audit.ts';
import { cached, caughtUp, defineCache } from '../../platform/cache.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { RequestContext } from '../../platform/http/context.ts';
import type { HomeWidgetContext } from '../../platform/module.ts';
import { recordUsage } from '../../platform/usage.ts';
import { attachDocuments, copyReferences, detachDocuments, referencesOf } from '../documents/index.ts';
import { markSourceRead, notify, withdraw } from '../timeline/index.ts';
import {
  allowedPeople,
  DEFAULT_LEVELS,
  listAllowed,
  listMembers,
  loadRules,
  type ParsedList,
  parseList,
  profilesOf,
  RELATING_PROFILES,
  type Reach,
  type RuleSet,
  reachOf,
  type Sender,
  searchPeople,
  structuresIn,
} from './messaging.access.ts';
import { cleanBody, preview } from './messaging.content.ts';
import {
  alerts,
  categoryCounts,
  fanOut,
  folders,
  keysetOf,
  mailboxPage,
  membersWithProfile,
  messages,
  namesOf,
  positions,
  rules as rulesRepo,
  settings as settingsRepo,
  structureCounts,
  structures,
  unreadIn,
} from './messaging.repository.ts';

const SERVICE = 'messaging' as const;

/** A message as the holder of its attachments (references to documents, never copies). */
export const messageHolder = (id: string) => ({ module: 'messaging', type: 'message', id });

/**
 * Attaches documents to a message in the caller's transaction: 403 `ATTACHMENT_NOT_ALLOWED` (nothing written) when
 * the sender may not read one of them; `version: 'this'` pins the version current now.
 */
async function attach(
  trx: AuthorizedDb,
  establishmentId: string,
  messageId: string,
  userId: string,
  list: readonly AttachmentInput[],
) {
  if (list.length === 0) return [];
  return attachDocuments(trx, {
    establishmentId,
    holder: messageHolder(messageId),
    documentIds: list.map((a) => a.documentId),
    userId,
    pin: list.filter((a) => a.version === 'this').map((a) => a.documentId),
  });
}
const iso = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString() : null);

/** Caps per profile unless the establishment says otherwise: students few recipients and few messages. */
export const DEFAULT_CAPS: Record<EstablishmentProfile, ProfileCaps> = {
  student: { recipientsPerMessage: 10, messagesPerHour: 10, alertRecipientsPerHour: 30 },
  guardian: { recipientsPerMessage: 20, messagesPerHour: 20, alertRecipientsPerHour: 60 },
  teacher: { recipientsPerMessage: 1000, messagesPerHour: 60, alertRecipientsPerHour: 3000 },
  staff: { recipientsPerMessage: null, messagesPerHour: 120, alertRecipientsPerHour: null },
  principal: { recipientsPerMessage: null, messagesPerHour: null, alertRecipientsPerHour: null },
  local_admin: { recipientsPerMessage: null, messagesPerHour: 120, alertRecipientsPerHour: null },
};

/** Profile rank for counting a person named one by one (the most relevant first). */
const RANK: EstablishmentProfile[] = ['principal', 'local_admin', 'staff', 'teacher', 'guardian', 'student'];

async function effectiveSettings(db: AuthorizedDb, establishmentId: string): Promise<MessagingSettings> {
  const row = await settingsRepo.of(db, establishmentId);
  const stored = (row?.caps ?? {}) as Partial<Record<EstablishmentProfile, ProfileCaps>>;
  return {
    suspendedProfiles: (row?.suspended_profiles ?? []) as EstablishmentProfile[],
    caps: Object.fromEntries(ESTABLISHMENT_PROFILES.map((p) => [p, stored[p] ?? DEFAULT_CAPS[p]])) as Record<
      EstablishmentProfile,
      ProfileCaps
    >,
  };
}

/** The most permissive of the sender's caps (a teacher who is also a parent sends as a teacher). */
function capsOf(s: MessagingSettings, profiles: readonly EstablishmentProfile[]): ProfileCaps {
  const pick = (k: keyof ProfileCaps) => {
    const values = profiles.map((p) => s.caps[p][k]);
    return values.includes(null) ? null : values.length ? Math.max(...(values as number[])) : 0;
  };
  return {
    recipientsPerMessage: pick('recipientsPerMessage'),
    messagesPerHour: pick('messagesPerHour'),
    alertRecipientsPerHour: pick('alertRecipientsPerHour'),
  };
}

interface Context {
  auth: Authorized;
  sender: Sender;
  rules: RuleSet;
  reach: Reach;
  settings: MessagingSettings;
}

/** Who is writing, with what they may reach here. A sender whose every profile is suspended: 403. */
async function writer(ctx: RequestContext, establishmentId: string): Promise<Context> {
  const auth = await authorize(ctx, { establishmentId, permission: 'messaging.write', service: SERVICE });
  const settings = await effectiveSettings(auth.db, establishmentId);
  const profiles = auth.profiles.filter((p) => !settings.suspendedProfiles.includes(p));
  if (auth.profiles.length > 0 && profiles.length === 0) throw new AppError(403, 'SENDING_SUSPENDED');
  const sender: Sender = { id: auth.user.id, establishmentId, profiles };
  const rules = await loadRules(auth.db, establishmentId);
  return { auth, sender, rules, reach: await reachOf(auth.db, sender, rules), settings };
}

const LIST_WORDS = { students: 'élèves', guardians: 'parents', teachers: 'enseignants' } as const;
const ALL_LABELS: Record<string, string> = {
  'all.students': 'tous les élèves',
  'all.guardians': 'tous les parents',
  'all.teachers': 'tous les enseignants',
  'all.school_life': 'la vie scolaire',
  'all.staff': 'les personnels administratifs',
  'all.direction': 'la direction',
  'all.personnel': 'tous les personnels',
};
const ALL_COUNT_KEY: Record<string, keyof Awaited<ReturnType<typeof categoryCounts>>> = {
  'all.students': 'student',
  'all.guardians': 'guardian',
  'all.teachers': 'teacher',
  'all.school_life': 'school_life',
  'all.staff': 'staff',
  'all.direction': 'direction',
  'all.personnel': 'personnel',
};

function listLabel(l: ParsedList, structure?: { type: 'class' | 'group'; code: string }): string {
  if (l.scope === 'all') return ALL_LABELS[l.key] ?? l.key;
  const code = structure?.code ?? '?';
  return l.scope === 'class' ? `${LIST_WORDS[l.kind]} de ${code}` : `${LIST_WORDS[l.kind]} du groupe ${code}`;
}

const FUNCTION_WORDS: Record<string, string> = {
  EDU: 'Vie scolaire',
  DIR: 'Direction',
  ADF: 'Administration',
  DOC: 'Documentation',
  MDS: 'Médico-social',
  ENS: 'Enseignement',
};

/** "Professeur principal de 2NDE1 — Mathématiques", "Vie scolaire", "Parent de Léa (2NDE1)", "Élève de 2NDE1". */
async function describe(c: Context, people: { id: string; profiles: EstablishmentProfile[]; functions: string[] }[]) {
  const rows = await positions(
    c.auth.db,
    c.sender.establishmentId,
    people.map((p) => p.id),
  );
  const out = new Map<string, string>();
  for (const p of people) {
    const mine = rows.filter((r) => r.user_id === p.id);
    const parts: string[] = [];
    if (p.profiles.includes('principal')) parts.push('Direction');
    const heads = mine.filter((r) => r.kind === 'head').map((r) => r.label);
    if (heads.length) parts.push(`Professeur principal de ${heads.join(', ')}`);
    if (p.profiles.includes('teacher')) {
      // the subjects taught to the sender's classes first (to a parent: their child's), else all
      const subjects = mine.filter((r) => r.kind === 'subject');
      const near = subjects.filter((r) => r.structure_id && c.reach.mine.has(r.structure_id));
      const labels = [...new Set((near.length ? near : subjects).map((r) => r.label))].slice(0, 3);
      if (labels.length) parts.push(labels.join(', '));
      else if (!heads.length) parts.push('Enseignant');
    }
    if (p.profiles.includes('staff') || p.profiles.includes('local_admin')) {
      const words = p.functions.map((f) => FUNCTION_WORDS[f]).filter(Boolean);
      parts.push(words.length ? [...new Set(words)].join(', ') : 'Personnel');
    }
    if (p.profiles.includes('guardian')) {
      const children = mine.filter((r) => r.kind === 'child').map((r) => r.label);
      if (children.length) parts.push(`Parent de ${children.join(', ')}`);
    }
    if (p.profiles.includes('student')) {
      const classes = mine.filter((r) => r.kind === 'class').map((r) => r.label);
      parts.push(classes.length ? `Élève de ${classes.join(', ')}` : 'Élève');
    }
    out.set(p.id, parts.join(' — '));
  }
  return out;
}

/** The lists the sender may write to, matching `q`, their own classes and groups first. */
async function candidateLists(c: Context, q: string | undefined) {
  const all = await structures(c.auth.db, c.sender.establishmentId);
  const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
  const words = q ? fold(q).split(/\s+/).filter(Boolean) : [];
  const out: { list: ParsedList; label: string; mine: boolean }[] = [];
  for (const key of Object.keys(ALL_LABELS)) {
    const list = parseList(key)!;
    if (listAllowed(c.reach, list)) out.push({ list, label: listLabel(list), mine: false });
  }
  for (const s of all) {
    for (const kind of ['guardians', 'teachers', 'students'] as const) {
      const list: ParsedList = { scope: s.type, id: s.id, kind, key: `${s.type}.${s.id}.${kind}` };
      if (listAllowed(c.reach, list)) out.push({ list, label: listLabel(list, s), mine: c.reach.mine.has(s.id) });
    }
  }
  return out
    .filter((l) => words.every((w) => fold(l.label).includes(w)))
    .sort((a, b) => Number(b.mine) - Number(a.mine));
}

/** `GET /api/messaging/recipients`: only whom the caller may write to, with positions; lists with their counts. */
export async function recipients(ctx: RequestContext, q: { establishment: string; q?: string; limit: number }) {
  const c = await writer(ctx, q.establishment);
  const [people, lists] = await Promise.all([
    searchPeople(c.auth.db, c.sender, c.reach, q.q ?? '', q.limit),
    candidateLists(c, q.q),
  ]);
  const shownLists = lists.slice(0, q.q ? q.limit : Math.min(q.limit, 15));
  const structureIds = shownLists.flatMap((l) => (l.list.scope === 'all' ? [] : [l.list.id]));
  const [counts, totals, details] = await Promise.all([
    structureCounts(c.auth.db, c.sender.establishmentId, structureIds),
    shownLists.some((l) => l.list.scope === 'all') ? categoryCounts(c.auth.db, c.sender.establishmentId) : null,
    describe(c, people),
  ]);
  const items: RecipientItem[] = [
    ...shownLists.map((l) => ({
      kind: 'list' as const,
      id: l.list.key,
      label: l.label,
      count:
        l.list.scope === 'all'
          ? (totals?.[ALL_COUNT_KEY[l.list.key]!] ?? 0)
          : (counts.get(l.list.id)?.[l.list.kind] ?? 0),
    })),
    ...people.map((p) => ({
      kind: 'person' as const,
      id: p.id,
      label: p.display_name,
      detail: details.get(p.id) || undefined,
      profiles: p.profiles,
    })),
  ];
  recordUsage(ctx, q.establishment, SERVICE, 'recipients.search');
  return { items };
}

interface Resolved {
  recipients: string[];
  byProfile: Record<string, number>;
  refused: string[];
  toSpec: { id: string; label: string }[];
}

/** Persons and lists → the people who would receive, counted by profile; what the rules refuse. */
async function resolve(c: Context, to: string[], extraAllowed: string[] = []): Promise<Resolved> {
  const ids = [...new Set(to)];
  const persons = ids.filter((id) => !id.includes('.'));
  const parsed = ids.filter((id) => id.includes('.')).map((id) => ({ id, list: parseList(id) }));
  const structureIds = parsed.flatMap((p) => (p.list && p.list.scope !== 'all' ? [p.list.id] : []));
  const [allowed, known] = await Promise.all([
    allowedPeople(
      c.auth.db,
      c.sender,
      c.reach,
      persons.filter((p) => !extraAllowed.includes(p)),
    ),
    structuresIn(c.auth.db, c.sender.establishmentId, structureIds),
  ]);
  // Answering a message: its sender may be written to even outside the rules (they wrote first). Still a member.
  const extra = extraAllowed.length
    ? await profilesOf(
        c.auth.db,
        c.sender.establishmentId,
        extraAllowed.filter((p) => persons.includes(p)),
      )
    : new Map<string, EstablishmentProfile[]>();
  const refused: string[] = [];
  for (const p of persons) if (!allowed.has(p) && !extra.has(p)) refused.push(p);
  const lists: ParsedList[] = [];
  for (const { id, list } of parsed) {
    const ok = list && (list.scope === 'all' || known.has(list.id)) && listAllowed(c.reach, list);
    if (ok) lists.push(list);
    else refused.push(id);
  }
  const okPersons = persons.filter((p) => allowed.has(p) || extra.has(p));
  const [members, profiles] = await Promise.all([
    listMembers(c.auth.db, c.sender, lists),
    profilesOf(c.auth.db, c.sender.establishmentId, okPersons),
  ]);
  const counted = new Map<string, string>();
  for (const p of okPersons) {
    const held = profiles.get(p) ?? [];
    counted.set(p, RANK.find((r) => held.includes(r)) ?? 'student');
  }
  for (const m of members) if (!counted.has(m.user_id)) counted.set(m.user_id, m.profile);
  counted.delete(c.sender.id);
  const byProfile: Record<string, number> = {};
  for (const p of counted.values()) byProfile[p] = (byProfile[p] ?? 0) + 1;
  const names = await namesOf(c.auth.db, c.sender.establishmentId, okPersons);
  const toSpec = [
    ...lists.map((l) => ({
      id: l.key,
      label: listLabel(l, l.scope === 'all' ? undefined : known.get(l.id)),
    })),
    ...okPersons.map((p) => ({ id: p, label: names.get(p) ?? '' })),
  ];
  return { recipients: [...counted.keys()], byProfile, refused, toSpec };
}

/** `GET /api/messaging/audience`: the count by profile before sending. */
export async function audience(
  ctx: RequestContext,
  q: { establishment: string; to: string[]; replyTo?: string },
): Promise<Audience> {
  const c = await writer(ctx, q.establishment);
  const parent = q.replyTo ? await visibleMessage(c.auth, q.replyTo) : null;
  const r = await resolve(c, q.to, parent?.sender_id ? [parent.sender_id] : []);
  return {
    total: r.recipients.length,
    byProfile: r.byProfile,
    refused: r.refused,
    cap: capsOf(c.settings, c.sender.profiles).recipientsPerMessage,
  };
}

/** A message the caller sent or received (still in a mailbox of theirs), in this establishment; else 404. */
async function visibleMessage(auth: Authorized, id: string) {
  const m = await messages.byId(auth.db, id);
  if (!m || m.establishment_id !== auth.establishmentId || m.status === 'draft' || m.status === 'purged')
    throw notFound();
  if (m.sender_id === auth.user.id && !m.sender_deleted_at) return m;
  if (await messages.copyOf(auth.db, id, auth.user.id)) return m;
  throw notFound();
}

/** A message's establishment, for `object` routes: unknown ids are 404 before anything else. */
async function establishmentOf(ctx: RequestContext, id: string): Promise<string> {
  const m = await messages.byId(ctx.db as AuthorizedDb, id);
  if (!m) throw notFound();
  return m.establishment_id;
}

/**
 * `POST /api/messaging/messages`: checks everything first (content, suspension, rules, caps, rate), then writes
 * the message row, its recipients in one insert, the timeline notice (and its mails) in one transaction.
 */
export async function send(ctx: RequestContext, body: SendMessageBody) {
  const c = await writer(ctx, body.establishmentId);
  const { html, text } = cleanBody(body.body);
  const attachments = body.attachments ?? [];
  if (body.noReply) await requireEstablishmentPermission(ctx, 'messaging.no_reply', body.establishmentId);
  const parent = body.replyTo ? await visibleMessage(c.auth, body.replyTo) : null;
  if (parent?.no_reply && parent.sender_id !== c.sender.id) throw new AppError(403, 'REPLY_NOT_ALLOWED');
  const forwarded = body.forwardOf ? await visibleMessage(c.auth, body.forwardOf) : null;
  // A forward keeps the forwarded message's attachments (the forwarder reads them as its recipient).
  const forwardedDocs = forwarded
    ? ((await referencesOf(c.auth.db, [messageHolder(forwarded.id)])).get(forwarded.id) ?? [])
    : [];
  if (body.draftId) {
    const d = await messages.byId(c.auth.db, body.draftId);
    if (!d || d.establishment_id !== body.establishmentId || d.sender_id !== c.sender.id) throw notFound();
    if (d.status !== 'draft') throw new AppError(409, 'NOT_A_DRAFT');
  }
  const r = await resolve(c, body.to, parent?.sender_id ? [parent.sender_id] : []);
  if (r.refused.length > 0) {
    throw new AppError(403, 'RECIPIENT_NOT_ALLOWED', {
      extra: { refused: r.refused },
      errors: r.refused.map((id) => ({ path: 'body.to', message: id })),
    });
  }
  if (r.recipients.length === 0)
    throw new AppError(400, 'NO_RECIPIENT', { errors: [{ path: 'body.to', message: 'empty' }] });
  const caps = capsOf(c.settings, c.sender.profiles);
  if (caps.recipientsPerMessage !== null && r.recipients.length > caps.recipientsPerMessage) {
    throw new AppError(403, 'TOO_MANY_RECIPIENTS', {
      vars: { max: caps.recipientsPerMessage, count: r.recipients.length },
    });
  }
  const senderName = ctx.user!.displayName;
  const sent = await c.auth.transaction(async (trx) => {
    await messages.lockSender(trx, c.sender.id);
    const hour = await messages.lastHourOf(trx, c.sender.id, body.establishmentId);
    if (caps.messagesPerHour !== null && hour.messages >= caps.messagesPerHour) {
      const wait = hour.oldest
        ? Math.max(1, Math.ceil((new Date(hour.oldest).getTime() + 3_600_000 - Date.now()) / 1000))
        : 60;
      return { limited: { wait, messages: hour.messages, recipients: hour.recipients } } as const;
    }
    if (body.draftId) {
      await detachDocuments(trx, messageHolder(body.draftId));
      await messages.deleteDraft(trx, body.draftId, c.sender.id);
    }
    const row = await messages.insert(trx, {
      establishmentId: body.establishmentId,
      threadId: parent?.thread_id ?? null,
      parentId: parent?.id ?? null,
      forwardOf: forwarded?.id ?? null,
      senderId: c.sender.id,
      subject: body.subject,
      bodyHtml: html,
      bodyText: text,
      status: 'sent',
      noReply: body.noReply ?? false,
      toSpec: r.toSpec,
      draftAttachments: [],
      recipientCount: r.recipients.length,
      profileCounts: r.byProfile,
      hasAttachments: forwardedDocs.length + attachments.length > 0,
    });
    if (forwarded && forwardedDocs.length > 0) {
      await copyReferences(trx, {
        establishmentId: body.establishmentId,
        from: messageHolder(forwarded.id),
        to: messageHolder(row.id),
        userId: c.sender.id,
      });
    }
    await attach(trx, body.establishmentId, row.id, c.sender.id, attachments);
    const count = await fanOut(trx, row.id, body.establishmentId, new Date(row.sent_at!), r.recipients);
    await notify(trx, {
      establishmentId: body.establishmentId,
      kind: 'messaging.message.new',
      recipients: r.recipients,
      text: {
        fr: `Nouveau message de ${senderName} : « ${body.subject} »`,
        en: `New message from ${senderName}: “${body.subject}”`,
      },
      mailText: { fr: `Vous avez reçu un nouveau message de ${senderName} dans votre messagerie Préau.` },
      link: `/messaging/messages/${row.id}`,
      actorId: c.sender.id,
      source: { type: 'message', id: row.id },
    });
    // Unusual mass sending: the direction is told (once an hour per sender).
    const total = hour.recipients + count;
    if (caps.alertRecipientsPerHour !== null && total >= caps.alertRecipientsPerHour) {
      await raiseAlert(trx, c, `${total} destinataires en une heure`, hour.messages + 1, total);
    }
    return { id: row.id, recipientCount: count } as const;
  });
  if ('limited' in sent && sent.limited) {
    const l = sent.limited;
    await c.auth.transaction((trx) =>
      raiseAlert(trx, c, 'limite de messages par heure atteinte', l.messages, l.recipients),
    );
    throw new AppError(429, 'SEND_RATE_LIMITED', { retryAfterSeconds: l.wait, vars: { seconds: l.wait } });
  }
  recordUsage(ctx, body.establishmentId, SERVICE, 'message.send');
  if (parent) recordUsage(ctx, body.establishmentId, SERVICE, 'message.reply');
  if (attachments.length > 0) recordUsage(ctx, body.establishmentId, SERVICE, 'message.attach');
  return sent as { id: string; recipientCount: number };
}

async function raiseAlert(
  trx: AuthorizedDb,
  c: Context,
  reason: string,
  messagesCount: number,
  recipientsCount: number,
) {
  if (await alerts.recentFor(trx, c.sender.id, c.sender.establishmentId)) return;
  const profile =
    RANK.slice()
      .reverse()
      .find((p) => c.sender.profiles.includes(p)) ?? 'student';
  const alert = await alerts.insert(trx, {
    establishmentId: c.sender.establishmentId,
    senderId: c.sender.id,
    profile,
    reason,
    messages: messagesCount,
    recipients: recipientsCount,
  });
  const direction = await membersWithProfile(trx, c.sender.establishmentId, 'principal');
  const name = c.auth.user.displayName;
  await notify(trx, {
    establishmentId: c.sender.establishmentId,
    kind: 'messaging.abuse.alert',
    recipients: direction,
    text: {
      fr: `Envoi massif inhabituel : ${name} (${reason}). Vérifiez et suspendez l'envoi si besoin.`,
      en: `Unusual mass sending: ${name} (${reason}). Check it and suspend sending if needed.`,
    },
    link: `/admin/${c.sender.establishmentId}/messaging?sender=${c.sender.id}`,
    actorId: c.sender.id,
    source: { type: 'messaging_alert', id: alert.id },
  });
}

/** What a mailbox row shows of its message, the same for all its recipients: fixed once sent. */
type MessagePart = Omit<MailboxItem, 'from' | 'unread' | 'readCount' | 'recalled'> & { senderId: string | null };
/** A row of a mailbox page as kept: the sender's name is looked up per request (it may change meanwhile). */
interface BoxItem {
  m: MessagePart;
  unread: boolean;
  readCount?: number;
  recalled?: true;
}
interface BoxPage {
  unread: number;
  /** Up to the page's size + 1 (the one past the page says there is a next page). */
  items: BoxItem[];
}

/**
 * The messages' parts of the kept inboxes, once per process: a class's message sits in a hundred mailboxes, and 26
 * rows of strings are about 50 KB per mailbox when each keeps its own copy. A message received is never edited (a
 * purge deletes its copies, a recall is the row's `recalled`), so a part once made stays right; at most
 * `SHARED_MAX`, the oldest dropped first (a mailbox kept still holds its own reference).
 */
const SHARED = new Map<string, MessagePart>();
const SHARED_MAX = 20_000;
function shared(part: MessagePart): MessagePart {
  const known = SHARED.get(part.id);
  if (known && known.senderId === part.senderId) return known;
  SHARED.set(part.id, part);
  if (SHARED.size > SHARED_MAX) SHARED.delete(SHARED.keys().next().value!);
  return part;
}

/** The first page of an inbox: the web app's and the home widget's (3 of them) come from the same entry. */
const INBOX_PAGE = 25;

/**
 * Per person and establishment, the first page of their inbox with its unread count, from memory: migration 0201
 * announces `mb:<user>` whenever one of their copies is written (a message reaching them, read, moved, deleted,
 * recalled, purged) and `mb:e<establishment>` for a statement of more than 500 copies (a message to a whole
 * establishment, its recall). Only the caller's own mailbox is ever read from it, after the access check.
 */
const MAILBOX = defineCache<BoxPage>({ name: 'messaging-inbox', topic: 'mb', max: 20_000, ttlMs: 600_000 });

async function loadBox(
  db: AuthorizedDb,
  o: { userId: string; establishmentId: string; folder: string; q?: string; before?: { at: Date; id: string } },
  limit: number,
  keep = false,
): Promise<BoxPage> {
  const { rows, unread } = await mailboxPage(db, { ...o, limit: limit + 1 });
  const reads = await messages.readCount(
    db,
    rows.filter((r) => r.mine && r.status !== 'draft').map((r) => r.id),
  );
  return {
    unread,
    items: rows.map((r) => {
      const m: MessagePart = {
        id: r.id,
        threadId: r.thread_id,
        subject: r.subject || '(sans objet)',
        senderId: r.sender_id,
        toLabel: r.to_spec.map((t) => t.label).join(', '),
        recipientCount: r.recipient_count,
        preview: preview(r.body_text),
        sentAt: iso(r.sent_at),
        hasAttachments: r.has_attachments,
        noReply: r.no_reply,
      };
      return {
        // only received messages are kept (inbox): never a draft, whose text changes
        m: keep && !r.mine && r.status !== 'draft' ? shared(m) : m,
        unread: !r.mine && r.read_at === null,
        ...(r.mine && r.status !== 'draft' ? { readCount: reads.get(r.id) ?? 0 } : {}),
        ...(r.recalled_at ? { recalled: true as const } : {}),
      };
    }),
  };
}

/** `GET /api/messaging/inbox`: a page of a folder (inbox by default), with the inbox's unread count. */
export async function mailbox(
  ctx: RequestContext,
  q: { establishment: string; folder: string; q?: string; before?: string; limit: number },
  record = true,
): Promise<MailboxPage> {
  const auth = await authorize(ctx, {
    establishmentId: q.establishment,
    permission: 'messaging.read',
    service: SERVICE,
  });
  const box = { userId: auth.user.id, establishmentId: q.establishment, folder: q.folder, q: q.q };
  let page: BoxPage;
  if (q.folder === 'inbox' && !q.q && !q.before && q.limit <= INBOX_PAGE) {
    page = await cached(
      auth.db,
      MAILBOX,
      `${auth.user.id}:${q.establishment}`,
      () => loadBox(auth.db, box, INBOX_PAGE, true),
      [auth.user.id, `e${q.establishment}`],
    );
  } else {
    if (!['inbox', 'sent', 'drafts', 'trash'].includes(q.folder)) {
      const f = await folders.byId(auth.db, q.folder);
      if (!f || f.user_id !== auth.user.id || f.establishment_id !== q.establishment) throw notFound();
    }
    const before = q.before ? await keysetOf(auth.db, auth.user.id, q.before) : undefined;
    page = await loadBox(auth.db, { ...box, before }, q.limit);
  }
  const shown = page.items.slice(0, q.limit);
  // The senders' names from memory (a rename announces `u:<id>`): the kept page does not depend on them.
  const names = await relations.displayNames(
    auth.db,
    shown.flatMap((r) => (r.m.senderId ? [r.m.senderId] : [])),
  );
  if (record) recordUsage(ctx, q.establishment, SERVICE, q.q ? 'mailbox.search' : 'mailbox.view');
  return {
    items: shown.map(({ m: { senderId, ...m }, unread, readCount, recalled }) => {
      const name = senderId ? names.get(senderId) : null;
      return {
        ...m,
        from: name
          ? { id: senderId!, displayName: name }
          : { id: '00000000-0000-0000-0000-000000000000', displayName: 'Compte supprimé' },
        unread,
        ...(readCount !== undefined ? { readCount } : {}),
        ...(recalled ? { recalled } : {}),
      };
    }),
    unread: page.unread,
    ...(page.items.length > q.limit ? { next: shown.at(-1)!.m.id } : {}),
  };
}

/** The home page's widget: the inbox's unread count and its three latest messages. */
export async function messagingHome({ ctx, establishmentId }: HomeWidgetContext): Promise<MailboxPage> {
  return mailbox(ctx, { establishment: establishmentId, folder: 'inbox', limit: 3 }, false);
}

/** `GET /api/messaging/messages/:id`: the message (opening it marks it read), its thread, what the caller can do. */
export async function readMessage(ctx: RequestContext, id: string): Promise<MessageView> {
  const establishmentId = await establishmentOf(ctx, id);
  const auth = await authorize(ctx, { establishmentId, permission: 'messaging.read', service: SERVICE });
  const m = await messages.byId(auth.db, id);
  if (!m || m.status === 'purged') throw notFound();
  const isSender = m.sender_id === auth.user.id && !m.sender_deleted_at;
  const copy = await messages.copyOf(auth.db, id, auth.user.id);
  if (!isSender && !copy) throw notFound();
  if (m.status === 'draft' && !isSender) throw notFound();
  if (copy && !copy.read_at) {
    await auth.transaction(async (trx) => {
      await messages.markRead(trx, id, auth.user.id, true);
      await markSourceRead(trx, auth.user.id, { type: 'message', id });
    });
    // A GET that wrote: the inbox kept in memory on this instance has heard of it before the next page is read.
    await caughtUp(ctx.db);
    recordUsage(ctx, establishmentId, SERVICE, 'message.read');
  }
  const thread = m.status === 'draft' ? [] : await messages.thread(auth.db, m.thread_id, auth.user.id);
  const readCount = isSender ? ((await messages.readCount(auth.db, [id])).get(id) ?? 0) : undefined;
  // What the caller may do, computed here: the web app only reads these flags.
  let replyAll: { id: string; label: string }[] = [];
  let canWrite = false;
  if (m.status !== 'draft') {
    try {
      const c = await writer(ctx, establishmentId);
      canWrite = true;
      const candidates = [
        ...(m.sender_id && m.sender_id !== auth.user.id ? [{ id: m.sender_id, label: m.sender_name ?? '' }] : []),
        ...m.to_spec.filter((t) => t.id !== auth.user.id),
      ];
      const r = await resolve(
        c,
        candidates.map((x) => x.id),
        m.sender_id ? [m.sender_id] : [],
      );
      replyAll = candidates.filter((x) => !r.refused.includes(x.id));
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
    }
  }
  const draftTo = m.status === 'draft' ? m.to_spec : [];
  const attachments = (await referencesOf(auth.db, [messageHolder(id)])).get(id) ?? [];
  return {
    id: m.id,
    establishmentId,
    threadId: m.thread_id,
    subject: m.subject,
    body: m.body_html,
    from: {
      id: m.sender_id ?? '00000000-0000-0000-0000-000000000000',
      displayName: m.sender_name ?? 'Compte supprimé',
    },
    to: m.to_spec,
    toLabel: m.to_spec.map((t) => t.label).join(', '),
    recipientCount: m.recipient_count,
    sentAt: iso(m.sent_at),
    status: m.status,
    noReply: m.no_reply,
    attachments,
    mine: {
      role: isSender ? 'sender' : 'recipient',
      folder: isSender ? (m.status === 'draft' ? 'drafts' : m.sender_folder) : copy!.folder,
      read: true,
    },
    ...(readCount !== undefined ? { readCount } : {}),
    thread: thread
      .filter((t) => t.id !== m.id)
      .map((t) => ({
        id: t.id,
        subject: t.subject,
        from: {
          id: t.sender_id ?? '00000000-0000-0000-0000-000000000000',
          displayName: t.sender_name ?? 'Compte supprimé',
        },
        sentAt: iso(t.sent_at),
        preview: preview(t.body_text),
      })),
    can: {
      reply: canWrite && !isSender && m.status === 'sent' && !m.no_reply && !!m.sender_id,
      replyAll: canWrite && m.status === 'sent' && (!m.no_reply || isSender) && replyAll.length > 0,
      forward: canWrite && m.status !== 'draft',
      recall: isSender && m.status === 'sent' && !m.recalled_at && (readCount ?? 0) < m.recipient_count,
    },
    replyAll,
    ...(m.status === 'draft'
      ? {
          draft: {
            to: draftTo,
            attachments: attachments.map((a) => ({ documentId: a.documentId, version: a.version })),
            replyTo: m.parent_id,
            forwardOf: m.forward_of,
          },
        }
      : {}),
  };
}

/** `PATCH /api/messaging/messages/:id`: the caller's copy only. */
export async function updateCopy(ctx: RequestContext, id: string, body: { read?: boolean; folder?: string }) {
  const establishmentId = await establishmentOf(ctx, id);
  const auth = await authorize(ctx, { establishmentId, permission: 'messaging.read', service: SERVICE });
  const m = await messages.byId(auth.db, id);
  if (!m || m.status === 'draft' || m.status === 'purged') throw notFound();
  const isSender = m.sender_id === auth.user.id && !m.sender_deleted_at;
  const copy = await messages.copyOf(auth.db, id, auth.user.id);
  if (!isSender && !copy) throw notFound();
  if (body.folder && !['inbox', 'trash'].includes(body.folder)) {
    const f = await folders.byId(auth.db, body.folder);
    if (!f || f.user_id !== auth.user.id || f.establishment_id !== establishmentId) throw notFound();
  }
  await auth.transaction(async (trx) => {
    if (copy) {
      if (body.read !== undefined) {
        await messages.markRead(trx, id, auth.user.id, body.read);
        if (body.read) await markSourceRead(trx, auth.user.id, { type: 'message', id });
      }
      if (body.folder) await messages.moveCopy(trx, id, auth.user.id, body.folder);
    } else if (body.folder) {
      // the sender's copy: "inbox" means back to the sent messages
      await messages.moveSent(trx, id, auth.user.id, body.folder === 'inbox' ? 'sent' : body.folder);
    }
  });
  recordUsage(
    ctx,
    establishmentId,
    SERVICE,
    body.folder === 'trash' ? 'message.trash' : body.folder ? 'message.move' : 'message.mark',
  );
  const after = copy ? await messages.copyOf(auth.db, id, auth.user.id) : null;
  const sent = copy ? null : await messages.byId(auth.db, id);
  return { id, folder: after?.folder ?? sent!.sender_folder, read: after ? after.read_at !== null : true };
}

/** `DELETE /api/messaging/messages/:id`: for good, from the trash only (else 404: nothing to delete). */
export async function deleteCopy(ctx: RequestContext, id: string) {
  const establishmentId = await establishmentOf(ctx, id);
  const auth = await authorize(ctx, { establishmentId, permission: 'messaging.read', service: SERVICE });
  const [a, b] = await auth.transaction(async (trx) => [
    await messages.deleteCopy(trx, id, auth.user.id),
    await messages.deleteSent(trx, id, auth.user.id),
  ]);
  if (Number(a.numUpdatedRows) + Number(b.numUpdatedRows) === 0) throw notFound();
  recordUsage(ctx, establishmentId, SERVICE, 'message.delete');
}

/** `POST /api/messaging/messages/:id/recall`: from every mailbox where it is still unread. */
export async function recall(ctx: RequestContext, id: string) {
  const establishmentId = await establishmentOf(ctx, id);
  const auth = await authorize(ctx, { establishmentId, permission: 'messaging.write', service: SERVICE });
  const m = await messages.byId(auth.db, id);
  if (!m || m.sender_id !== auth.user.id || m.status === 'draft' || m.status === 'purged') throw notFound();
  const res = await auth.transaction(async (trx) => {
    const r = await messages.recall(trx, id);
    if (r.recalled === 0) return r;
    await withdraw(trx, { type: 'message', id });
    // Recalling withdraws the attachments from everyone, those who already read it included.
    await detachDocuments(trx, messageHolder(id));
    await audit(trx, ctx, {
      action: 'messaging.message.recall',
      establishmentId,
      targetType: 'message',
      targetId: id,
      details: r,
    });
    return r;
  });
  if (res.recalled === 0) throw new AppError(409, 'NOTHING_TO_RECALL');
  recordUsage(ctx, establishmentId, SERVICE, 'message.recall');
  return res;
}

/** Drafts: saved as one types, checked only when sent. */
export async function saveDraft(
  ctx: RequestContext,
  id: string | null,
  body: {
    establishmentId: string;
    to: string[];
    subject: string;
    body: string;
    attachments: AttachmentInput[];
    noReply: boolean;
    replyTo?: string | null;
    forwardOf?: string | null;
  },
) {
  let establishmentId = body.establishmentId;
  if (id) {
    establishmentId = await establishmentOf(ctx, id);
    if (establishmentId !== body.establishmentId) throw notFound();
  }
  const c = await writer(ctx, establishmentId);
  const { html, text } = cleanBody(body.body);
  // Labels of what the draft names: only among whom the caller may write to (a draft reveals no name).
  const r = await resolve(c, body.to);
  const toSpec = body.to.map((t) => r.toSpec.find((x) => x.id === t) ?? { id: t, label: 'Destinataire non autorisé' });
  const fields = {
    threadId: null,
    parentId: body.replyTo ?? null,
    forwardOf: body.forwardOf ?? null,
    subject: body.subject,
    bodyHtml: html,
    bodyText: text,
    noReply: body.noReply,
    toSpec,
    draftAttachments: [...new Set(body.attachments.map((a) => a.documentId))],
    recipientCount: 0,
    profileCounts: {},
    hasAttachments: body.attachments.length > 0,
  };
  if (body.replyTo) await visibleMessage(c.auth, body.replyTo);
  if (body.forwardOf) await visibleMessage(c.auth, body.forwardOf);
  if (id) {
    const existing = await messages.byId(c.auth.db, id);
    if (!existing || existing.sender_id !== c.sender.id) throw notFound();
    if (existing.status !== 'draft') throw new AppError(409, 'NOT_A_DRAFT');
    // The draft's attachments are references too, replaced at each save (the sender must read each).
    const row = await c.auth.transaction(async (trx) => {
      const updated = await messages.updateDraft(trx, id, c.sender.id, fields);
      if (!updated) throw new AppError(409, 'NOT_A_DRAFT');
      await detachDocuments(trx, messageHolder(id));
      await attach(trx, establishmentId, id, c.sender.id, body.attachments);
      return updated;
    });
    return { id, savedAt: new Date(row.updated_at).toISOString() };
  }
  const row = await c.auth.transaction(async (trx) => {
    const inserted = await messages.insert(trx, {
      ...fields,
      establishmentId,
      senderId: c.sender.id,
      status: 'draft',
    });
    await attach(trx, establishmentId, inserted.id, c.sender.id, body.attachments);
    return inserted;
  });
  recordUsage(ctx, establishmentId, SERVICE, 'draft.create');
  return { id: row.id, savedAt: new Date().toISOString() };
}

export async function discardDraft(ctx: RequestContext, id: string) {
  const establishmentId = await establishmentOf(ctx, id);
  const auth = await authorize(ctx, { establishmentId, permission: 'messaging.write', service: SERVICE });
  const m = await messages.byId(auth.db, id);
  if (!m || m.sender_id !== auth.user.id) throw notFound();
  if (m.status !== 'draft') throw new AppError(409, 'NOT_A_DRAFT');
  await auth.transaction(async (trx) => {
    await detachDocuments(trx, messageHolder(id));
    await messages.deleteDraft(trx, id, auth.user.id);
  });
}

/** Folders and the mailbox's counts. */
export async function listFolders(ctx: RequestContext, establishmentId: string): Promise<Folders> {
  const auth = await authorize(ctx, { establishmentId, permission: 'messaging.read', service: SERVICE });
  const [list, counts, unread] = await Promise.all([
    folders.list(auth.db, auth.user.id, establishmentId),
    folders.counts(auth.db, auth.user.id, establishmentId),
    unreadIn(auth.db, auth.user.id, establishmentId),
  ]);
  return { folders: list, counts: { inboxUnread: unread, drafts: counts.drafts, trash: counts.trash } };
}

export async function createFolder(ctx: RequestContext, body: { establishmentId: string; name: string }) {
  const auth = await authorize(ctx, {
    establishmentId: body.establishmentId,
    permission: 'messaging.read',
    service: SERVICE,
  });
  const f = await folders.insert(auth.db, body.establishmentId, auth.user.id, body.name);
  recordUsage(ctx, body.establishmentId, SERVICE, 'folder.create');
  return { ...f, count: 0, unread: 0 };
}

async function ownFolder(ctx: RequestContext, id: string) {
  const f = await folders.byId(ctx.db as AuthorizedDb, id);
  if (!f) throw notFound();
  const auth = await authorize(ctx, {
    establishmentId: f.establishment_id,
    permission: 'messaging.read',
    service: SERVICE,
  });
  if (f.user_id !== auth.user.id) throw notFound();
  return { auth, f };
}

export async function renameFolder(ctx: RequestContext, id: string, name: string) {
  const { auth, f } = await ownFolder(ctx, id);
  await folders.rename(auth.db, id, name);
  const list = await folders.list(auth.db, auth.user.id, f.establishment_id);
  return list.find((x) => x.id === id)!;
}

export async function deleteFolder(ctx: RequestContext, id: string) {
  const { auth } = await ownFolder(ctx, id);
  await auth.transaction((trx) => folders.delete(trx, id, auth.user.id));
}

// ---- the direction: rules, settings, moderation ----

const PROFILE_WORDS: Record<EstablishmentProfile, string> = {
  student: 'Les élèves',
  guardian: 'Les parents',
  teacher: 'Les enseignants',
  staff: 'Les personnels',
  principal: 'La direction',
  local_admin: 'Les administrateurs ENT',
};
const ALL_WORDS: Record<RecipientCategory, string> = {
  student: 'à tous les élèves',
  guardian: 'à tous les parents',
  teacher: 'à tous les enseignants',
  school_life: 'à la vie scolaire',
  staff: 'aux autres personnels',
  direction: 'à la direction',
};
const RELATED_WORDS: Partial<Record<EstablishmentProfile, Partial<Record<RecipientCategory, string>>>> = {
  student: {
    student: 'aux élèves de leur classe',
    guardian: 'à leurs parents',
    teacher: 'aux enseignants de leurs classes et groupes',
  },
  guardian: {
    student: 'à leurs enfants',
    guardian: 'aux parents de la classe de leurs enfants',
    teacher: 'aux enseignants de leurs enfants',
  },
  teacher: {
    student: 'à leurs élèves',
    guardian: 'aux parents de leurs élèves',
    teacher: 'aux enseignants de leurs classes',
  },
};

/** The rules in plain words: "Les élèves écrivent aux élèves de leur classe, … et à la vie scolaire." */
function summary(levels: Map<string, string>): Rules['summary'] {
  return ESTABLISHMENT_PROFILES.map((p) => {
    const reach = RECIPIENT_CATEGORIES.flatMap((c) => {
      const l = levels.get(`${p}:${c}`);
      if (l === 'all') return [ALL_WORDS[c]];
      if (l === 'related') return RELATED_WORDS[p]?.[c] ? [RELATED_WORDS[p]![c]!] : [];
      return [];
    });
    const everyone = RECIPIENT_CATEGORIES.every((c) => levels.get(`${p}:${c}`) === 'all');
    const text = everyone
      ? `${PROFILE_WORDS[p]} écrivent à tout l'établissement.`
      : reach.length === 0
        ? `${PROFILE_WORDS[p]} n'écrivent à personne.`
        : `${PROFILE_WORDS[p]} écrivent ${reach.slice(0, -1).join(', ')}${reach.length > 1 ? ' et ' : ''}${reach.at(-1)}.`;
    return { profile: p, text };
  });
}

export async function getRules(ctx: RequestContext, establishmentId: string): Promise<Rules> {
  const auth = await authorize(ctx, { establishmentId, permission: 'messaging.manage', service: SERVICE });
  return rulesView(auth);
}

async function rulesView(auth: Authorized): Promise<Rules> {
  const [levels, adjusted, all] = await Promise.all([
    rulesRepo.levels(auth.db, auth.establishmentId),
    rulesRepo.structures(auth.db, auth.establishmentId),
    structures(auth.db, auth.establishmentId),
  ]);
  const current = new Map<string, string>();
  for (const p of ESTABLISHMENT_PROFILES)
    for (const c of RECIPIENT_CATEGORIES) current.set(`${p}:${c}`, DEFAULT_LEVELS[p][c]);
  for (const r of levels) current.set(`${r.from_profile}:${r.to_category}`, r.level);
  const label = new Map(all.map((s) => [s.id, s.type === 'class' ? s.code : `groupe ${s.code}`]));
  return {
    levels: ESTABLISHMENT_PROFILES.flatMap((p) =>
      RECIPIENT_CATEGORIES.map((c) => ({
        from: p,
        to: c,
        level: current.get(`${p}:${c}`) as 'none' | 'related' | 'all',
        default: DEFAULT_LEVELS[p][c],
      })),
    ),
    structures: adjusted
      .filter((r) => label.has(r.structure_id))
      .map((r) => ({
        structure: { type: r.structure_type, id: r.structure_id },
        from: r.from_profile,
        to: r.to_category,
        allowed: r.allowed,
        label: label.get(r.structure_id)!,
      })),
    summary: summary(current),
    classes: all.map((s) => ({ id: s.id, type: s.type, label: s.type === 'class' ? s.code : `groupe ${s.code}` })),
  };
}

export async function updateRules(
  ctx: RequestContext,
  body: {
    establishmentId: string;
    levels?: { from: EstablishmentProfile; to: RecipientCategory; level: 'none' | 'related' | 'all' }[];
    structures?: {
      structure: { type: 'class' | 'group'; id: string };
      from: 'student' | 'guardian';
      to: 'student' | 'guardian' | 'teacher';
      allowed: boolean;
    }[];
  },
): Promise<Rules> {
  const auth = await authorize(ctx, {
    establishmentId: body.establishmentId,
    permission: 'messaging.manage',
    service: SERVICE,
  });
  if (body.structures?.length) {
    const known = await structuresIn(
      auth.db,
      body.establishmentId,
      body.structures.map((s) => s.structure.id),
    );
    if (body.structures.some((s) => known.get(s.structure.id)?.type !== s.structure.type)) throw notFound();
  }
  const before = await rulesView(auth);
  await auth.transaction(async (trx) => {
    if (body.levels) {
      // Only what differs from the defaults is stored: a later change of defaults reaches untouched pairs.
      const merged = new Map(before.levels.map((l) => [`${l.from}:${l.to}`, l.level]));
      for (const l of body.levels) {
        // "related" means nothing for profiles without classes: it is refused as "none" would surprise.
        if (l.level === 'related' && !(RELATING_PROFILES as readonly string[]).includes(l.from)) {
          throw new AppError(400, 'VALIDATION', {
            errors: [{ path: `body.levels.${l.from}.${l.to}`, message: 'related needs a class' }],
          });
        }
        merged.set(`${l.from}:${l.to}`, l.level);
      }
      const rows = [...merged.entries()]
        .map(([k, level]) => {
          const [from, to] = k.split(':') as [EstablishmentProfile, RecipientCategory];
          return { from, to, level };
        })
        .filter((r) => DEFAULT_LEVELS[r.from][r.to] !== r.level);
      await rulesRepo.replaceLevels(trx, body.establishmentId, auth.user.id, rows);
    }
    if (body.structures) {
      await rulesRepo.replaceStructures(
        trx,
        body.establishmentId,
        body.structures.map((s) => ({
          type: s.structure.type,
          id: s.structure.id,
          from: s.from,
          to: s.to,
          allowed: s.allowed,
        })),
      );
    }
    const after = await rulesView({ ...auth, db: trx });
    await audit(trx, ctx, {
      action: 'messaging.rules.update',
      establishmentId: body.establishmentId,
      targetType: 'messaging_rules',
      targetId: body.establishmentId,
      details: {
        before: { levels: before.levels.filter((l) => l.level !== l.default), structures: before.structures },
        after: { levels: after.levels.filter((l) => l.level !== l.default), structures: after.structures },
      },
    });
  });
  recordUsage(ctx, body.establishmentId, SERVICE, 'rules.update');
  return rulesView(auth);
}

export async function getSettings(ctx: RequestContext, establishmentId: string) {
  const auth = await authorize(ctx, { establishmentId, permission: 'messaging.manage', service: SERVICE });
  return effectiveSettings(auth.db, establishmentId);
}

export async function updateSettings(
  ctx: RequestContext,
  body: {
    establishmentId: string;
    suspendedProfiles?: EstablishmentProfile[];
    caps?: Partial<Record<EstablishmentProfile, ProfileCaps>>;
  },
) {
  const auth = await authorize(ctx, {
    establishmentId: body.establishmentId,
    permission: 'messaging.manage',
    service: SERVICE,
  });
  const before = await effectiveSettings(auth.db, body.establishmentId);
  const after: MessagingSettings = {
    suspendedProfiles: body.suspendedProfiles ? [...new Set(body.suspendedProfiles)] : before.suspendedProfiles,
    caps: { ...before.caps, ...(body.caps ?? {}) },
  };
  await auth.transaction(async (trx) => {
    await settingsRepo.upsert(trx, body.establishmentId, auth.user.id, after);
    const suspended = after.suspendedProfiles.filter((p) => !before.suspendedProfiles.includes(p));
    const resumed = before.suspendedProfiles.filter((p) => !after.suspendedProfiles.includes(p));
    await audit(trx, ctx, {
      action: suspended.length || resumed.length ? 'messaging.sending.suspend' : 'messaging.settings.update',
      establishmentId: body.establishmentId,
      targetType: 'messaging_settings',
      targetId: body.establishmentId,
      details: { before, after, suspended, resumed },
    });
  });
  recordUsage(ctx, body.establishmentId, SERVICE, 'settings.update');
  return after;
}

export async function moderation(
  ctx: RequestContext,
  q: { establishment: string; sender?: string },
): Promise<Moderation> {
  const auth = await authorize(ctx, {
    establishmentId: q.establishment,
    permission: 'messaging.manage',
    service: SERVICE,
  });
  const [recent, list] = await Promise.all([
    alerts.recent(auth.db, q.establishment),
    q.sender ? messages.bySender(auth.db, q.establishment, q.sender) : messages.broadcasts(auth.db, q.establishment),
  ]);
  return {
    alerts: recent.rows.map((a) => ({
      id: a.id,
      sender: { id: a.sender_id, displayName: a.sender_name },
      profile: a.profile,
      reason: a.reason,
      messages: a.messages,
      recipients: a.recipients,
      at: iso(a.created_at)!,
    })),
    messages: list.rows.map((m) => ({
      id: m.id,
      subject: m.subject,
      from: {
        id: m.sender_id ?? '00000000-0000-0000-0000-000000000000',
        displayName: m.sender_name ?? 'Compte supprimé',
      },
      recipientCount: m.recipient_count,
      sentAt: iso(m.sent_at),
      status: m.status,
    })),
  };
}

/** `POST /api/messaging/messages/:id/purge`: out of every mailbox, its notices and unsent mails too; audited. */
export async function purge(ctx: RequestContext, id: string, reason: string) {
  const establishmentId = await establishmentOf(ctx, id);
  const auth = await authorize(ctx, { establishmentId, permission: 'messaging.manage', service: SERVICE });
  const m = await messages.byId(auth.db, id);
  if (!m || m.status === 'draft' || m.status === 'purged') throw notFound();
  const removedFrom = await auth.transaction(async (trx) => {
    const n = await messages.purge(trx, id, auth.user.id);
    await withdraw(trx, { type: 'message', id });
    await detachDocuments(trx, messageHolder(id));
    await audit(trx, ctx, {
      action: 'messaging.message.purge',
      establishmentId,
      targetType: 'message',
      targetId: id,
      details: {
        reason,
        subject: m.subject,
        senderId: m.sender_id,
        senderName: m.sender_name,
        sentAt: iso(m.sent_at),
        recipients: m.recipient_count,
        removedFrom: n,
      },
    });
    return n;
  });
  recordUsage(ctx, establishmentId, SERVICE, 'message.purge');
  return { id, removedFrom };
}
