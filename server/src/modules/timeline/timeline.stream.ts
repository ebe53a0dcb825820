import type { UnreadEvent } from '@preau/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { requireUser } from '../../platform/access/access.ts';
import type { RequestContext } from '../../platform/http/context.ts';
import type { LiveHub } from './timeline.live.ts';

/** Seconds between keep-alive comments: proxies close a connection that stays silent for a minute. */
const PING_SECONDS = 25;

/**
 * `GET /api/timeline/stream`: server-sent events. The first event is the current count; each change to the
 * caller's unread notifications (on any instance) sends a new one. The stream ends after `max` seconds (the
 * browser's EventSource reconnects by itself, `retry` says after how long), when the client goes, or when the
 * server stops.
 */
export async function liveStream(
  ctx: RequestContext,
  hub: LiveHub,
  req: FastifyRequest,
  reply: FastifyReply,
  q: { max: number },
): Promise<FastifyReply> {
  requireUser(ctx);
  const early: UnreadEvent[] = [];
  let write: ((e: UnreadEvent) => void) | null = null;
  // Subscribed before the answer starts: a failure here is still an ordinary problem+json answer.
  const unsubscribe = await hub.subscribe(ctx.user.id, (e) => (write ? write(e) : early.push(e)));
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    'x-accel-buffering': 'no',
    'x-content-type-options': 'nosniff',
  });
  let closed = false;
  write = (e) => {
    if (!closed) res.write(`event: unread\ndata: ${JSON.stringify(e)}\n\n`);
  };
  res.write('retry: 5000\n\n');
  for (const e of early) write(e);
  const finish = () => {
    if (closed) return;
    closed = true;
    clearInterval(ping);
    clearTimeout(deadline);
    unsubscribe();
    hub.untrack(finish);
    res.end();
  };
  const ping = setInterval(() => {
    if (!closed) res.write(': ping\n\n');
  }, PING_SECONDS * 1000);
  const deadline = setTimeout(finish, q.max * 1000);
  hub.track(finish);
  req.raw.on('close', finish);
  if (q.max === 0) finish();
  return reply;
}
