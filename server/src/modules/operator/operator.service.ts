import type { OperatorCaches, OperatorIdentity, OperatorIdentityBody } from '@preau/contracts';
import { requirePlatformAdmin } from '../../platform/access/access.ts';
import { audit } from '../../platform/audit.ts';
import { cachesOf } from '../../platform/cache.ts';
import { AppError } from '../../platform/errors.ts';
import type { RequestContext } from '../../platform/http/context.ts';
import { recordUsage } from '../../platform/usage.ts';
import { defaultIdentity } from './operator.defaults.ts';
import { operatorIdentity } from './operator.repository.ts';

/** The identity as everyone reads it (footer, header, legal pages): the saved one, or the first-start default. */
export async function getIdentity(ctx: RequestContext): Promise<OperatorIdentity> {
  const row = await operatorIdentity.get(ctx.db);
  if (!row) return { ...defaultIdentity(ctx.lang), configured: false, updatedAt: null };
  return { ...row.identity, configured: true, updatedAt: new Date(row.updated_at).toISOString() };
}

/** The platform administrator replaces the identity; audited with before and after, in one transaction. */
export async function putIdentity(ctx: RequestContext, input: OperatorIdentityBody): Promise<OperatorIdentity> {
  requirePlatformAdmin(ctx);
  if (input.logo) checkLogo(input.logo.dataUrl);
  const user = ctx.user!;
  const saved = await ctx.db.transaction().execute(async (trx) => {
    const before = await operatorIdentity.get(trx);
    const row = await operatorIdentity.put(trx, input, user.id);
    await audit(trx, ctx, {
      action: 'operator.update',
      targetType: 'operator',
      details: { before: before ? forAudit(before.identity) : null, after: forAudit(input) },
    });
    return row;
  });
  recordUsage(ctx, null, 'operator', 'update');
  return { ...input, configured: true, updatedAt: new Date(saved.updated_at).toISOString() };
}

/** The audit keeps what changed, not the logo's bytes: its kind, size and text alternative. */
function forAudit(identity: OperatorIdentityBody) {
  const { logo, ...rest } = identity;
  return {
    ...rest,
    logo: logo
      ? { type: /^data:([^;]+);/.exec(logo.dataUrl)?.[1] ?? '', chars: logo.dataUrl.length, alt: logo.alt }
      : null,
  };
}

const invalidLogo = () =>
  new AppError(400, 'LOGO_INVALID', { errors: [{ path: 'body.logo.dataUrl', message: 'LOGO_INVALID' }] });

/**
 * The logo's bytes must be the image its type says (checked by content, not by the name): PNG, JPEG and WebP by
 * their signature; an SVG must be an `<svg>` document without scripts, event handlers, `javascript:` links or
 * foreign objects (it is shown in an <img>, where scripts do not run, but it could be opened on its own).
 */
export function checkLogo(dataUrl: string): void {
  const m = /^data:image\/(png|jpeg|webp|svg\+xml);base64,(.*)$/s.exec(dataUrl);
  if (!m) throw invalidLogo();
  const bytes = Buffer.from(m[2]!, 'base64');
  if (bytes.length === 0) throw invalidLogo();
  const starts = (...b: number[]) => b.every((x, i) => bytes[i] === x);
  switch (m[1]) {
    case 'png':
      if (!starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) throw invalidLogo();
      return;
    case 'jpeg':
      if (!starts(0xff, 0xd8, 0xff)) throw invalidLogo();
      return;
    case 'webp':
      if (bytes.subarray(0, 4).toString('latin1') !== 'RIFF' || bytes.subarray(8, 12).toString('latin1') !== 'WEBP')
        throw invalidLogo();
      return;
    default: {
      const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
      const unsafe = /<script|<foreignObject|\son[a-z]+\s*=|javascript:|<!ENTITY/i;
      if (!/^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*(<!DOCTYPE[^>]*>\s*)?<svg[\s>]/i.test(text) || unsafe.test(text))
        throw invalidLogo();
    }
  }
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

/**
 * What this instance keeps in memory: each cache used since it started, with its entries and bound, and the
 * process's memory. Per instance (each has its own caches): what an operator sizes `--max-old-space-size` from.
 */
export function cachesReport(ctx: RequestContext): OperatorCaches {
  requirePlatformAdmin(ctx);
  const caches = cachesOf(ctx.db);
  const m = process.memoryUsage();
  return {
    notifications: caches?.enabled ?? false,
    memory: { rssMb: mb(m.rss), heapUsedMb: mb(m.heapUsed) },
    caches: Object.entries(caches?.stats() ?? {})
      .map(([name, c]) => ({ name, topic: c.topic, entries: c.size, max: c.max, hits: c.hits, misses: c.misses }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  };
}
