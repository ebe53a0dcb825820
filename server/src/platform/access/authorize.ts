import type { EstablishmentProfile, ServiceKey } from '@preau/contracts';
import type { Kysely } from 'kysely';
import { transactionWithHooks } from '../db/after-commit.ts';
import type { Database } from '../db/schema.ts';
import type { AuthedContext, AuthUser, MembershipInfo, RequestContext } from '../http/context.ts';
import { requireEstablishmentPermission } from './access.ts';

declare const authorizedBrand: unique symbol;

/**
 * The database handle a use case gets once its access check has passed. Repositories of service modules take
 * this type, not `Db`: a use case that forgot `authorize()` has no such handle, so calling its repository
 * does not compile. (The brand exists only in types; at run time it is the request's Kysely instance.)
 */
export type AuthorizedDb = Kysely<Database> & { readonly [authorizedBrand]: true };

export interface Scope {
  establishmentId: string;
  /** The permission the use case needs in that establishment (`logbook.write`). */
  permission: string;
  /**
   * The service the use case belongs to, or `null` for a platform use case. With a service, the same gate as
   * the routes' runs: a member who accepted the charter, the service open to one of their profiles.
   */
  service: ServiceKey | null;
}

export interface Authorized {
  ctx: AuthedContext;
  user: AuthUser;
  establishmentId: string;
  /** The caller's membership there; `null` for a platform administrator who is not a member. */
  membership: MembershipInfo | null;
  /** The caller's profiles there (none for a platform administrator who is not a member). */
  profiles: readonly EstablishmentProfile[];
  db: AuthorizedDb;
  /** One transaction whose handle is authorized too: every row of a multi-row change commits together. */
  transaction<T>(work: (trx: AuthorizedDb) => Promise<T>): Promise<T>;
}

/**
 * The first line of every use case: who is calling, in which establishment, with which permission.
 * Unknown or foreign establishments answer 404 (another school is never revealed), a member without the
 * permission 403, a closed service 403 SERVICE_CLOSED. Object checks come next, from the module's
 * `*.access.ts` on the batched relations (`relations.ts`).
 */
export async function authorize(ctx: RequestContext, scope: Scope): Promise<Authorized> {
  const { user, membership } = await requireEstablishmentPermission(ctx, scope.permission, scope.establishmentId);
  if (scope.service) await ctx.services.requireOpen(ctx, scope.service, scope.establishmentId);
  return authorized(ctx as AuthedContext, user, scope.establishmentId, membership);
}

function authorized(
  ctx: AuthedContext,
  user: AuthUser,
  establishmentId: string,
  membership: MembershipInfo | null,
): Authorized {
  const db = ctx.db as AuthorizedDb;
  return {
    ctx,
    user,
    establishmentId,
    membership,
    profiles: membership?.profiles ?? [],
    db,
    transaction: (work) =>
      transactionWithHooks(
        ctx.db,
        (trx) => work(trx as unknown as AuthorizedDb),
        (err) => ctx.log.warn({ err }, 'after-commit hook failed (the change is committed)'),
      ),
  };
}

/**
 * For work that is authorized by other means than a session: a job acting for its requester, the ICS feed's
 * revocable token, the demo seed. The reason is required so that every such door is named where it opens.
 */
export function trustedDb(db: Kysely<Database>, _reason: string): AuthorizedDb {
  return db as AuthorizedDb;
}
