import { type ProcessingRegister, SERVICE_CATALOGUE } from '@preau/contracts';
import { requireUser } from '../../platform/access/access.ts';
import { audit } from '../../platform/audit.ts';
import type { Db } from '../../platform/db/schema.ts';
import type { RequestContext } from '../../platform/http/context.ts';
import { moduleRegistry } from '../../platform/registry.ts';
import { recordUsage } from '../../platform/usage.ts';
import { traces } from './privacy.repository.ts';

/**
 * The processing register (RGPD art. 30), generated from the modules' declarations: what is kept, why, on
 * which legal basis, who sees it and for how long. Open to everyone signed in: each person may know what is
 * processed about them.
 */
export async function register(ctx: RequestContext): Promise<ProcessingRegister> {
  requireUser(ctx);
  const lang = ctx.lang;
  return {
    generatedAt: new Date().toISOString(),
    items: moduleRegistry().personalData.map(({ module, service, declaration: d }) => ({
      module,
      service,
      name: d.title?.[lang] ?? SERVICE_CATALOGUE.find((s) => s.key === service)?.name[lang] ?? module,
      purpose: d.purpose[lang],
      legalBasis: d.legalBasis[lang],
      categories: d.categories.map((c) => ({ key: c.key, label: c.label[lang], fields: c.fields })),
      audience: d.audience[lang],
      retention: d.retention[lang],
    })),
  };
}

/**
 * The caller's own data, from every module that declares an export (right of access, RGPD art. 15). The export
 * itself is audited: it is an access to personal data.
 */
export async function myData(ctx: RequestContext): Promise<Record<string, unknown>> {
  requireUser(ctx);
  const user = ctx.user;
  const modules: Record<string, unknown> = {};
  for (const { module, declaration } of moduleRegistry().personalData) {
    if (declaration.exportFor) modules[module] = await declaration.exportFor(ctx.db, user.id);
  }
  await audit(ctx.db, ctx, { action: 'privacy.export', targetType: 'user', targetId: user.id });
  recordUsage(ctx, null, 'account', 'data.export');
  return { generatedAt: new Date().toISOString(), person: { id: user.id, login: user.login }, modules };
}

/** The platform's own traces of a person: sessions, what they did (audit), their usage events. */
export async function tracesOf(db: Db, userId: string) {
  const [sessions, actions, usage] = await Promise.all([
    traces.sessions(db, userId),
    traces.auditAsActor(db, userId),
    traces.usage(db, userId),
  ]);
  return { sessions, actions, usage };
}
