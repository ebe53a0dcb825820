import { randomBytes } from 'node:crypto';
import {
  LOGIN_SHEET_LIMIT,
  type LoginSheetsPreview,
  type LoginSheetsPreviewQuery,
  type PrintLoginSheetsBody,
  type PrintPersonSheetBody,
} from '@preau/contracts';
import { requireEstablishmentPermission } from '../../../platform/access/access.ts';
import { audit } from '../../../platform/audit.ts';
import { frenchDate } from '../../../platform/dates.ts';
import type { Db } from '../../../platform/db/schema.ts';
import { AppError, forbidden, notFound } from '../../../platform/errors.ts';
import type { AuthUser, RequestContext } from '../../../platform/http/context.ts';
import { t } from '../../../platform/i18n.ts';
import { newActivationCode } from '../../../platform/logins.ts';
import { recordUsage } from '../../../platform/usage.ts';
import { hashActivationCode, minPasswordLength } from '../../accounts/index.ts';
import { type Sheet, sheetsPdf } from './sheets.pdf.ts';
import { type RecipientRow, type SheetProfile, type SheetSelection, sheets } from './sheets.repository.ts';

const ROLE = {
  student: 'Élève',
  guardian: 'Responsable',
  teacher: 'Enseignant(e)',
  staff: 'Personnel',
  principal: 'Direction',
  local_admin: "Administration de l'ENT",
} as const;
const FILE_ROLE = { student: 'eleves', guardian: 'responsables', teacher: 'enseignants', staff: 'personnels' } as const;

/**
 * The ENT's address as people type it: the configured public origin (always set in production), else — in
 * development — the address this request came to. Never a made-up `localhost`.
 */
const entOrigin = (ctx: RequestContext, requestOrigin: string) => ctx.config.publicOrigin ?? requestOrigin;

/**
 * Who gets a new code: accounts awaiting activation — except, for an establishment's administrator, those who
 * also belong to another establishment (whoever holds the code holds the account everywhere: issue 8).
 */
const getsCode = (actor: AuthUser, p: RecipientRow) =>
  p.status === 'pending_activation' && (!p.elsewhere || actor.platformAdmin);

function plan(actor: AuthUser, people: RecipientRow[]): LoginSheetsPreview {
  const coded = people.filter((p) => getsCode(actor, p));
  return {
    sheets: people[0]?.total ?? 0,
    newCodes: coded.length,
    replacedCodes: coded.filter((p) => p.live_code).length,
    codesFromPlatform: people.filter((p) => p.status === 'pending_activation' && !getsCode(actor, p)).length,
    max: LOGIN_SHEET_LIMIT,
  };
}

async function selectionOf(
  ctx: RequestContext,
  establishmentId: string,
  q: { profile: SheetProfile; class?: string | undefined; onlyPending: boolean },
  classPath: string,
) {
  if (q.profile === 'staff' && q.class) {
    throw new AppError(400, 'CLASS_NOT_APPLICABLE', {
      errors: [{ path: classPath, message: t(ctx.lang, 'CLASS_NOT_APPLICABLE') }],
    });
  }
  const klass = q.class ? await sheets.currentClassByCode(ctx.db, establishmentId, q.class) : null;
  if (q.class && !klass) throw notFound();
  return { klass, selection: { profile: q.profile, classId: klass?.id ?? null, onlyPending: q.onlyPending } };
}

function requireSize(ctx: RequestContext, total: number, classPath: string) {
  if (total <= LOGIN_SHEET_LIMIT) return;
  const vars = { count: total, max: LOGIN_SHEET_LIMIT };
  throw new AppError(400, 'TOO_MANY_SHEETS', {
    vars,
    errors: [{ path: classPath, message: t(ctx.lang, 'TOO_MANY_SHEETS', vars) }],
  });
}

/**
 * What printing a selection would do, changing nothing: how many sheets, how many new codes, how many of them
 * replace a code that still works (so many printed sheets stop working), how many come from the platform.
 */
export async function previewLoginSheets(
  ctx: RequestContext,
  establishmentId: string,
  query: LoginSheetsPreviewQuery,
): Promise<LoginSheetsPreview> {
  const { user: actor } = await requireEstablishmentPermission(ctx, 'users.manage', establishmentId);
  const { selection } = await selectionOf(ctx, establishmentId, query, 'querystring.class');
  const people = await sheets.recipients(ctx.db, establishmentId, selection, LOGIN_SHEET_LIMIT + 1);
  return plan(actor, people);
}

/** 409 unless the caller confirmed how many working codes the print replaces (nothing is written). */
function requireConfirmation(ctx: RequestContext, replaced: number, confirmed: number | undefined) {
  if (replaced === 0 || confirmed === replaced) return;
  const vars = { count: replaced };
  throw new AppError(409, 'CONFIRMATION_REQUIRED', {
    vars,
    errors: [{ path: 'body.confirmReplace', message: t(ctx.lang, 'CONFIRMATION_REQUIRED', vars) }],
  });
}

/**
 * Give the new codes in one transaction — hashed, audited per account and for the print as a whole, never the
 * codes themselves — and lay out the PDF. The previous code of each account stops working.
 */
async function issueAndRender(
  ctx: RequestContext,
  actor: AuthUser,
  establishmentId: string,
  people: RecipientRow[],
  print: {
    title: string;
    layout: 'full' | 'half';
    role: (p: RecipientRow) => string;
    withClasses: boolean;
    origin: string;
    target: { type: string; id: string };
    details: Record<string, unknown>;
  },
) {
  const expiresAt = new Date(Date.now() + ctx.config.activationCodeDays * 86_400_000);
  const codes = new Map(people.filter((p) => getsCode(actor, p)).map((p) => [p.id, newActivationCode(randomBytes)]));
  const replaced = people.filter((p) => codes.has(p.id) && p.live_code).length;
  const given = await ctx.db.transaction().execute(async (trx: Db) => {
    const changed = await sheets.setCodes(
      trx,
      [...codes].map(([id, code]) => ({ id, hash: hashActivationCode(id, code) })),
      expiresAt,
    );
    const ids = [...changed];
    await sheets.auditCodes(trx, ctx, establishmentId, ids, {
      via: 'login_sheets',
      expiresAt: expiresAt.toISOString(),
    });
    await audit(trx, ctx, {
      action: 'directory.login_sheets.print',
      establishmentId,
      targetType: print.target.type,
      targetId: print.target.id,
      details: {
        ...print.details,
        layout: print.layout,
        sheets: people.length,
        codes: ids.length,
        replaced,
        userIds: ids,
      },
    });
    return changed;
  });

  const expiresOn = frenchDate(expiresAt, { dateStyle: 'long' });
  const list: Sheet[] = people.map((p) => {
    const code = given.has(p.id) ? codes.get(p.id)! : null;
    return {
      displayName: p.display_name,
      login: p.login,
      role: print.role(p),
      classes: print.withClasses ? p.classes : [],
      children: p.children,
      code,
      expiresOn: code ? expiresOn : null,
      codeFromPlatform: !code && p.status === 'pending_activation',
      minPasswordLength: minPasswordLength(ctx.config, p.profiles ?? []),
    };
  });
  const establishment = await sheets.establishment(ctx.db, establishmentId);
  return sheetsPdf(
    { establishmentName: establishment.name, origin: print.origin, layout: print.layout, title: print.title },
    list,
  );
}

/**
 * Login sheets of one class (or of all the establishment's people of a profile), as a PDF stream — a POST,
 * since printing is when codes are handed out: every account of the selection still awaiting activation gets a
 * new code now (not those who also belong to another establishment, unless the platform administrator prints).
 * When some of those accounts hold a code that still works, the caller must confirm how many
 * (`confirmReplace`, from the preview), else 409 CONFIRMATION_REQUIRED and nothing changes. Activated accounts
 * get a sheet saying so, or none with `onlyPending`. At most LOGIN_SHEET_LIMIT sheets per document.
 */
export async function printLoginSheets(
  ctx: RequestContext,
  establishmentId: string,
  body: PrintLoginSheetsBody,
  requestOrigin: string,
) {
  const { user: actor } = await requireEstablishmentPermission(ctx, 'users.manage', establishmentId);
  const { klass, selection } = await selectionOf(ctx, establishmentId, body, 'body.class');
  const people = await sheets.recipients(ctx.db, establishmentId, selection, LOGIN_SHEET_LIMIT + 1);
  requireSize(ctx, people[0]?.total ?? 0, 'body.class');
  requireConfirmation(ctx, plan(actor, people).replacedCodes, body.confirmReplace);

  const label = klass ? klass.code : 'tous';
  const doc = await issueAndRender(ctx, actor, establishmentId, people, {
    title: `Identifiants ENT — ${label} — ${ROLE[body.profile]}`,
    layout: body.layout,
    role: () => ROLE[body.profile],
    withClasses: body.profile !== 'guardian',
    origin: entOrigin(ctx, requestOrigin),
    target: klass ? { type: 'class', id: klass.id } : { type: 'establishment', id: establishmentId },
    details: { profile: body.profile, class: klass?.code ?? null, onlyPending: body.onlyPending },
  });
  const filename = `identifiants-${label.replace(/[^A-Za-z0-9-]+/g, '_')}-${FILE_ROLE[body.profile]}.pdf`;
  recordUsage(ctx, establishmentId, 'directory', 'login_sheets.print');
  return { doc, filename };
}

const ROLE_ORDER = ['student', 'guardian', 'teacher', 'staff', 'principal', 'local_admin'] as const;

/**
 * Reprint one person's sheet (from their page or the data-quality list): a new code if they await activation
 * (confirmed with `confirmReplace: 1` when their current one still works), else the "already activated" sheet.
 * A person suspended here, detached, a platform administrator (for others) or — awaiting activation — shared
 * with another establishment gets none.
 */
export async function printPersonSheet(
  ctx: RequestContext,
  establishmentId: string,
  userId: string,
  body: PrintPersonSheetBody,
  requestOrigin: string,
) {
  const { user: actor } = await requireEstablishmentPermission(ctx, 'users.manage', establishmentId);
  const target = await sheets.person(ctx.db, establishmentId, userId);
  if (!target) throw notFound();
  if (target.is_platform_admin && !actor.platformAdmin) throw forbidden();
  const people = await sheets.recipients(ctx.db, establishmentId, { userId } satisfies SheetSelection, 2);
  const person = people[0];
  if (!person) throw new AppError(409, 'ACCOUNT_NOT_PRINTABLE');
  if (person.status === 'pending_activation' && !getsCode(actor, person)) {
    throw new AppError(403, 'PERSON_IN_OTHER_ESTABLISHMENT');
  }
  requireConfirmation(ctx, plan(actor, people).replacedCodes, body.confirmReplace);
  const role = (p: RecipientRow) => {
    const profile = ROLE_ORDER.find((r) => p.profiles?.includes(r));
    return profile ? ROLE[profile] : ROLE.staff;
  };
  const doc = await issueAndRender(ctx, actor, establishmentId, people, {
    title: `Identifiants ENT — ${person.display_name}`,
    layout: body.layout,
    role,
    withClasses: !person.profiles?.every((p) => p === 'guardian'),
    origin: entOrigin(ctx, requestOrigin),
    target: { type: 'user', id: person.id },
    details: { single: true },
  });
  const filename = `identifiants-${person.login.replace(/[^A-Za-z0-9.-]+/g, '_')}.pdf`;
  recordUsage(ctx, establishmentId, 'directory', 'login_sheets.print_one');
  return { doc, filename };
}
