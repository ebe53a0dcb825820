import type { EstablishmentProfile } from '@preau/contracts';
import { permissionsIn } from '../../platform/access/access.ts';
import type { Authorized } from '../../platform/access/authorize.ts';
import { relations } from '../../platform/access/relations.repository.ts';
import type { Db } from '../../platform/db/schema.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import './rollout.tables.ts';

/** Who takes part in the rollout: teachers, school-life and administrative staff, the direction. */
export const STAFF: readonly EstablishmentProfile[] = ['teacher', 'staff', 'principal', 'local_admin'];

export interface RolloutRole {
  /** Holds `rollout.steer` there (the direction by default) or is a platform administrator. */
  direction: boolean;
  /** The direction, or a member of the establishment's steering group (pilot, member, TICE representative). */
  steering: boolean;
}

/** The tables whose rows name their establishment, for the routes that name an object (`establishment: 'object'`). */
type Owned =
  | 'rollout_step'
  | 'rollout_objective'
  | 'rollout_tool'
  | 'rollout_risk'
  | 'rollout_need'
  | 'rollout_resource_person'
  | 'rollout_slot'
  | 'rollout_training';

/**
 * Who may do what in the rollout of an establishment. The route's permission (`rollout.use`) lets the staff in;
 * the steering rights are the direction's and the steering group's, checked here (at most one query).
 */
export const rolloutAccess = {
  async role(auth: Authorized): Promise<RolloutRole> {
    if (auth.user.platformAdmin) return { direction: true, steering: true };
    // The direction's right comes from memory (cached permissions): the group's members are only looked up for
    // the others, so that the direction's pages cost no query here.
    const held = await permissionsIn(auth.db, auth.user, auth.establishmentId, ['rollout.steer']);
    if (held.includes('rollout.steer')) return { direction: true, steering: true };
    const member = await auth.db
      .selectFrom('rollout_steering_member')
      .select('user_id')
      .where('establishment_id', '=', auth.establishmentId)
      .where('user_id', '=', auth.user.id)
      .limit(1)
      .executeTakeFirst();
    return { direction: false, steering: member !== undefined };
  },

  /** 403 NOT_STEERING unless the caller steers the rollout there. */
  async requireSteering(auth: Authorized): Promise<RolloutRole> {
    const role = await rolloutAccess.role(auth);
    if (!role.steering) throw new AppError(403, 'NOT_STEERING');
    return role;
  },

  /** 403 NOT_STEERING unless the caller holds the direction's rights there. */
  async requireDirection(auth: Authorized): Promise<void> {
    if (!(await rolloutAccess.role(auth)).direction) throw new AppError(403, 'NOT_STEERING');
  },

  /**
   * The establishment of an object the URL names, before any access check (the check then runs on it); an
   * unknown id is 404 like a foreign one.
   */
  async establishmentOf(db: Db, table: Owned, id: string): Promise<string> {
    const row = await db.selectFrom(table).select('establishment_id').where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound();
    return row.establishment_id;
  },

  /** The establishment of an académie's axis, or of the establishment's own (`academyId` set for the former). */
  async axisScope(db: Db, id: string) {
    const row = await db
      .selectFrom('rollout_axis')
      .select(['academy_id', 'establishment_id'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw notFound();
    return row;
  },

  /** Of these people, the staff of the establishment (owners of steps, risks, group members, resource persons). */
  staffAmong(auth: Authorized, ids: Iterable<string>) {
    return relations.membersOf(auth.db, auth.establishmentId, ids, STAFF);
  },

  /** Of these people, the members of the establishment (any profile). */
  membersAmong(auth: Authorized, ids: Iterable<string>) {
    return relations.membersOf(auth.db, auth.establishmentId, ids);
  },

  /** Does the person teach this discipline this year in the establishment? */
  async teaches(auth: Authorized, userId: string, subjectCode: string): Promise<boolean> {
    const rows = await relations.teachingOf(auth.db, auth.establishmentId, userId);
    return rows.some((r) => r.subject_code === subjectCode);
  },
};
