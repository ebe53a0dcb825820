import {
  type ChecklistItem,
  type HelpContact,
  type RolloutMe,
  type RolloutOverview,
  SERVICE_CATALOGUE,
} from '@preau/contracts';
import { permissionsIn } from '../../platform/access/access.ts';
import { type Authorized, authorize } from '../../platform/access/authorize.ts';
import { audit } from '../../platform/audit.ts';
import { notFound } from '../../platform/errors.ts';
import type { RequestContext } from '../../platform/http/context.ts';
import type { HomeWidgetContext } from '../../platform/module.ts';
import { recordUsage } from '../../platform/usage.ts';
import { charterFacts } from '../charter/index.ts';
import { directoryFacts } from '../directory/index.ts';
import { serviceOpenings } from '../services/index.ts';
import { notify } from '../timeline/index.ts';
import { activationOf, charterOf, classesOf } from './indicators.service.ts';
import { support } from './people.repository.ts';
import { rolloutAccess } from './rollout.access.ts';
import { type ChecklistFacts, checklistFactsOf, figuresOf } from './rollout.facts.ts';
import { outreach } from './rollout.repository.ts';

const SHEET_PROFILES_BY_CLASS = ['student', 'guardian'] as const;
const SHEET_PROFILES_WHOLE = ['teacher', 'staff'] as const;

/** What the checklist is computed from: kept per establishment (rollout.facts.ts) but the cached settings. */
async function checklistFacts(auth: Authorized) {
  const est = auth.establishmentId;
  const [{ figures, classes }, facts, charter, openings] = await Promise.all([
    figuresOf(auth.db, est),
    checklistFactsOf(auth.db, est),
    charterFacts.inForce(auth.db, est),
    serviceOpenings(auth.db, est),
  ]);
  return { ...facts, figures, classes, charter, openings };
}

/**
 * The rollout checklist, computed from the data — never ticked by hand: each item says its state, what is left
 * and where it is done (the administration's pages).
 */
function checklist(auth: Authorized, facts: Awaited<ReturnType<typeof checklistFacts>>): ChecklistItem[] {
  const admin = `/admin/${auth.establishmentId}`;
  const { figures, lastImport, quality, classes, sheets, charter, openings, announcement } = facts;
  const profileFigures = (p: string) => figures.byProfile.get(p) ?? { total: 0, activated: 0 };

  const directory: ChecklistItem = {
    key: 'directory',
    state: !lastImport ? 'todo' : lastImport.status !== 'done' ? 'partial' : 'done',
    date: lastImport?.at ?? null,
    count: lastImport?.anomalies ?? null,
    total: null,
    left: !lastImport
      ? [
          {
            code: figures.people.total > 0 ? 'NO_IMPORT_MEMBERS' : 'NO_IMPORT',
            count: figures.people.total,
          },
        ]
      : lastImport.status !== 'done'
        ? [{ code: 'IMPORT_FAILED' }]
        : lastImport.anomalies > 0
          ? [{ code: 'IMPORT_ANOMALIES', count: lastImport.anomalies }]
          : [],
    link: `${admin}/directory/import`,
  };

  const errors = quality.checks.filter((c) => c.severity === 'error');
  const errorCount = errors.reduce((n, c) => n + c.count, 0);
  const allCount = quality.checks.reduce((n, c) => n + c.count, 0);
  const viewed = quality.viewedAt ? new Date(quality.viewedAt) : null;
  const checkedSinceImport = viewed !== null && (!lastImport || viewed >= new Date(lastImport.at));
  const dataQuality: ChecklistItem = {
    key: 'data_quality',
    state: errorCount === 0 && checkedSinceImport ? 'done' : checkedSinceImport ? 'partial' : 'todo',
    date: viewed?.toISOString() ?? null,
    count: errorCount,
    total: allCount,
    left: [
      ...(checkedSinceImport ? [] : [{ code: 'NOT_CHECKED' }]),
      ...quality.checks.filter((c) => c.count > 0).map((c) => ({ code: c.code, count: c.count })),
    ],
    link: `${admin}/directory/quality`,
  };

  // Login sheets: every class for students and guardians, the whole establishment for teachers and staff; a
  // print for the whole establishment covers every class of its profile.
  const printed = (profile: string, classId: string | null) =>
    sheets.some((s) => s.profile === profile && (s.wholeEstablishment || (classId !== null && s.classId === classId)));
  // Accounts not activated yet: of a profile in a class (students, guardians), or in the whole establishment.
  const pendingIn = (profile: string, classId: string | null) => {
    const f =
      classId === null ? profileFigures(profile) : figures.byClass.get(classId)?.[profile as 'student' | 'guardian'];
    return f ? f.total - f.activated : 0;
  };
  const needed = [
    ...classes.flatMap((c) =>
      SHEET_PROFILES_BY_CLASS.map((p) => ({ profile: p as string, classId: c.id, label: c.code })),
    ),
    ...SHEET_PROFILES_WHOLE.filter((p) => profileFigures(p).total > 0).map((p) => ({
      profile: p as string,
      classId: null as string | null,
      label: '',
    })),
  ];
  const notPrinted = needed.filter((n) => !printed(n.profile, n.classId));
  const lastPrint =
    sheets
      .map((s) => s.at)
      .sort()
      .at(-1) ?? null;
  const loginSheets: ChecklistItem = {
    key: 'login_sheets',
    state:
      notPrinted.length === 0 && needed.length > 0 ? 'done' : notPrinted.length < needed.length ? 'partial' : 'todo',
    date: lastPrint,
    count: needed.length - notPrinted.length,
    total: needed.length,
    left: notPrinted.map((n) => ({
      code: n.classId ? 'CLASS_PROFILE' : 'PROFILE',
      ...(n.label ? { label: n.label } : {}),
      profile: n.profile,
      count: pendingIn(n.profile, n.classId),
    })),
    link: `${admin}/directory/login-sheets`,
  };

  const charterItem: ChecklistItem = {
    key: 'charter',
    state: !charter ? 'todo' : charter.inherited ? 'partial' : 'done',
    date: charter?.publishedAt ?? null,
    count: charter?.version ?? null,
    total: null,
    left: !charter ? [{ code: 'NO_CHARTER' }] : charter.inherited ? [{ code: 'CHARTER_INHERITED' }] : [],
    link: `${admin}/charter`,
  };

  // Services: each one decided — closed, or open with its opening date.
  const undecided = openings.filter((o) => o.status !== 'closed' && !o.opensOn);
  const services: ChecklistItem = {
    key: 'services',
    state: undecided.length === 0 ? 'done' : undecided.length < openings.length ? 'partial' : 'todo',
    date:
      openings
        .map((o) => o.updatedAt)
        .filter((x): x is string => !!x)
        .sort()
        .at(-1) ?? null,
    count: openings.length - undecided.length,
    total: openings.length,
    left: undecided.map((o) => ({
      code: 'SERVICE_WITHOUT_DATE',
      label: SERVICE_CATALOGUE.find((e) => e.key === o.key)!.name[auth.ctx.lang],
    })),
    link: `${admin}/services`,
  };

  const guardians = profileFigures('guardian').total;
  const guardiansActive = profileFigures('guardian').activated;
  const families: ChecklistItem = {
    key: 'families',
    state: !announcement ? 'todo' : guardiansActive < guardians ? 'partial' : 'done',
    date: announcement ? new Date(announcement.sent_at).toISOString() : null,
    count: guardiansActive,
    total: guardians,
    left: [
      ...(announcement ? [] : [{ code: 'NO_ANNOUNCEMENT' }]),
      ...(guardiansActive < guardians ? [{ code: 'GUARDIANS_NOT_ACTIVATED', count: guardians - guardiansActive }] : []),
    ],
    link: '/rollout#families',
  };

  return [directory, dataQuality, loginSheets, charterItem, services, families];
}

function helpContact(facts: ChecklistFacts): HelpContact | null {
  const { establishment: est, contact: c } = facts;
  if (!est) throw notFound();
  return c
    ? { academy: est.academy_name, name: c.name, email: c.email, phone: c.phone, url: c.url, hours: c.hours }
    : null;
}

async function overviewOf(auth: Authorized): Promise<RolloutOverview> {
  const facts = await checklistFacts(auth);
  const help = helpContact(facts);
  const { figures, lastImport, quality } = facts;
  const items = checklist(auth, facts);
  const classes = classesOf(figures, facts.classes);
  // Guardians first: the classes where families lag behind lead the list.
  const rate = (x: { activated: number; total: number }) => (x.total === 0 ? 1 : x.activated / x.total);
  classes.sort((a, b) => rate(a.guardians) - rate(b.guardians) || a.class.localeCompare(b.class));
  return {
    checklist: items,
    activation: activationOf(figures),
    charter: charterOf(figures),
    classes,
    lastImport,
    openAnomalies: quality.checks.reduce((n, c) => n + c.count, 0),
    help,
    lateSteps: facts.lateSteps,
  };
}

export async function overview(ctx: RequestContext, establishmentId: string): Promise<RolloutOverview> {
  const auth = await authorize(ctx, { establishmentId, permission: 'rollout.use', service: 'rollout' });
  await rolloutAccess.requireSteering(auth);
  const data = await overviewOf(auth);
  recordUsage(ctx, establishmentId, 'rollout', 'overview.view');
  return data;
}

/** The direction's home-page widget: the same first screen; nothing for the others (no widget shown). */
export async function rolloutHome({ ctx, establishmentId }: HomeWidgetContext): Promise<RolloutOverview | null> {
  // The home page is the 8 a.m. path: the others' widget costs one lookup of the direction's right, nothing more.
  const held = await permissionsIn(ctx.db, ctx.user, establishmentId, ['rollout.steer']);
  if (!held.includes('rollout.steer')) return null;
  const auth = await authorize(ctx, { establishmentId, permission: 'rollout.steer', service: 'rollout' });
  return overviewOf(auth);
}

export async function me(ctx: RequestContext, establishmentId: string): Promise<RolloutMe> {
  const auth = await authorize(ctx, { establishmentId, permission: 'rollout.use', service: 'rollout' });
  const [role, persons] = await Promise.all([
    rolloutAccess.role(auth),
    support.resourcePersons(auth.db, establishmentId),
  ]);
  return {
    direction: role.direction,
    steering: role.steering,
    resourcePersonIds: persons.filter((p) => p.user_id === auth.user.id).map((p) => p.id),
  };
}

/** Tell the families: one notice on every guardian's timeline, recorded for the checklist (audited). */
export async function announce(ctx: RequestContext, body: { establishmentId: string; text: string }) {
  const auth = await authorize(ctx, {
    establishmentId: body.establishmentId,
    permission: 'rollout.steer',
    service: 'rollout',
  });
  await rolloutAccess.requireDirection(auth);
  const guardians = await directoryFacts.guardians(auth.db, body.establishmentId);
  const result = await auth.transaction(async (trx) => {
    const id = await outreach.insertAnnouncement(trx, {
      establishmentId: body.establishmentId,
      text: body.text,
      recipients: guardians.length,
      sentBy: auth.user.id,
    });
    const sent = await notify(trx, {
      establishmentId: body.establishmentId,
      kind: 'rollout.families.info',
      recipients: guardians,
      actorId: auth.user.id,
      text: { fr: body.text },
      link: '/',
      source: { type: 'rollout.announcement', id },
    });
    await audit(trx, ctx, {
      action: 'rollout.families.announce',
      establishmentId: body.establishmentId,
      targetType: 'rollout_announcement',
      targetId: id,
      details: { recipients: sent?.recipients ?? 0, length: body.text.length },
    });
    return { id, recipients: sent?.recipients ?? 0 };
  });
  recordUsage(ctx, body.establishmentId, 'rollout', 'families.announce');
  return result;
}
