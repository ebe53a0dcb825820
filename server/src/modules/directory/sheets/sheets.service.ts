import { randomBytes } from 'node:crypto';
import { LOGIN_SHEET_LIMIT, type LoginSheetsQuery } from '@preau/contracts';
import { requireEstablishmentPermission } from '../../../platform/access/access.ts';
import { audit } from '../../../platform/audit.ts';
import { AppError, notFound } from '../../../platform/errors.ts';
import type { RequestContext } from '../../../platform/http/context.ts';
import { t } from '../../../platform/i18n.ts';
import { newActivationCode } from '../../../platform/logins.ts';
import { recordUsage } from '../../../platform/usage.ts';
import { hashActivationCode, minPasswordLength } from '../../accounts/index.ts';
import { type Sheet, sheetsPdf } from './sheets.pdf.ts';
import { sheets } from './sheets.repository.ts';

const ROLE = { student: 'Élève', guardian: 'Responsable', teacher: 'Enseignant(e)', staff: 'Personnel' } as const;
const FILE_ROLE = { student: 'eleves', guardian: 'responsables', teacher: 'enseignants', staff: 'personnels' } as const;

const frenchDate = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: 'Europe/Paris' });

/** The ENT's address as people type it: the configured public origin, else this server. */
const entOrigin = (ctx: RequestContext) => ctx.config.publicOrigin ?? `http://localhost:${ctx.config.port}`;

/**
 * Login sheets of one class (or of all the establishment's people of a profile), as a PDF stream.
 * Printing is when codes are handed out: every account of the selection still awaiting activation gets a
 * new code now (the previous one stops working), stored hashed and audited per account and for the print
 * as a whole — never the codes themselves. Activated accounts get a sheet saying so, or none with
 * `onlyPending`. At most LOGIN_SHEET_LIMIT sheets per document.
 */
export async function loginSheets(ctx: RequestContext, establishmentId: string, query: LoginSheetsQuery) {
  await requireEstablishmentPermission(ctx, 'users.manage', establishmentId);
  if (query.profile === 'staff' && query.class) {
    throw new AppError(400, 'CLASS_NOT_APPLICABLE', {
      errors: [{ path: 'querystring.class', message: t(ctx.lang, 'CLASS_NOT_APPLICABLE') }],
    });
  }
  const [establishment, klass] = await Promise.all([
    sheets.establishment(ctx.db, establishmentId),
    query.class ? sheets.currentClassByCode(ctx.db, establishmentId, query.class) : Promise.resolve(null),
  ]);
  if (query.class && !klass) throw notFound();

  const people = await sheets.recipients(
    ctx.db,
    establishmentId,
    query.profile,
    klass?.id ?? null,
    query.onlyPending,
    LOGIN_SHEET_LIMIT + 1,
  );
  const total = people[0]?.total ?? 0;
  if (total > LOGIN_SHEET_LIMIT) {
    throw new AppError(400, 'TOO_MANY_SHEETS', {
      vars: { count: total, max: LOGIN_SHEET_LIMIT },
      errors: [
        {
          path: 'querystring.class',
          message: t(ctx.lang, 'TOO_MANY_SHEETS', { count: total, max: LOGIN_SHEET_LIMIT }),
        },
      ],
    });
  }

  const expiresAt = new Date(Date.now() + ctx.config.activationCodeDays * 86_400_000);
  const codes = new Map(
    people.filter((p) => p.status === 'pending_activation').map((p) => [p.id, newActivationCode(randomBytes)]),
  );
  const given = await ctx.db.transaction().execute(async (trx) => {
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
      targetType: klass ? 'class' : 'establishment',
      targetId: klass?.id ?? establishmentId,
      details: {
        profile: query.profile,
        class: klass?.code ?? null,
        layout: query.layout,
        onlyPending: query.onlyPending,
        sheets: people.length,
        codes: ids.length,
        userIds: ids,
      },
    });
    return changed;
  });

  const expiresOn = frenchDate.format(expiresAt);
  const list: Sheet[] = people.map((p) => {
    const code = given.has(p.id) ? codes.get(p.id)! : null;
    return {
      displayName: p.display_name,
      login: p.login,
      role: ROLE[query.profile],
      classes: query.profile === 'guardian' ? [] : p.classes,
      children: p.children,
      code,
      expiresOn: code ? expiresOn : null,
      minPasswordLength: minPasswordLength(ctx.config, p.profiles ?? []),
    };
  });
  const label = klass ? klass.code : 'tous';
  const doc = sheetsPdf(
    {
      establishmentName: establishment.name,
      origin: entOrigin(ctx),
      layout: query.layout,
      title: `Identifiants ENT — ${label} — ${ROLE[query.profile]}`,
    },
    list,
  );
  const filename = `identifiants-${label.replace(/[^A-Za-z0-9-]+/g, '_')}-${FILE_ROLE[query.profile]}.pdf`;
  recordUsage(ctx, establishmentId, 'directory', 'login_sheets.print');
  return { doc, filename };
}
