import { sql } from 'kysely';
import { z } from 'zod';
import type { App } from '../module.ts';

const Health = z.object({ status: z.enum(['ok', 'degraded']), database: z.enum(['ok', 'down']) });

export async function healthRoutes(app: App): Promise<void> {
  app.get(
    '/api/health',
    {
      config: { auth: 'public' },
      schema: { tags: ['platform'], summary: 'Liveness and database check', response: { 200: Health, 503: Health } },
    },
    async (req, reply) => {
      try {
        await sql`SELECT 1`.execute(req.ctx.db);
        return { status: 'ok' as const, database: 'ok' as const };
      } catch {
        return reply.code(503).send({ status: 'degraded', database: 'down' });
      }
    },
  );
}
