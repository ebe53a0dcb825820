import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyInstance } from 'fastify';

/**
 * Reads that several parts of one request make alike — the home page's widgets each ask for a guardian's
 * children or the establishment's holiday zone — are made once per request. Only for GET and HEAD requests,
 * which do not write: a request that changes data always reads afresh. Outside a request (jobs, the demo seed,
 * the CLI) nothing is remembered.
 */
const scope = new AsyncLocalStorage<Map<string, Promise<unknown>>>();
const READS = new Set(['GET', 'HEAD']);

export function installRequestMemo(app: FastifyInstance): void {
  app.addHook('onRequest', (req, _reply, done) => {
    if (READS.has(req.method)) scope.run(new Map(), done);
    else done();
  });
}

/**
 * `load()` once per request for this key; its promise is shared (a failure is not kept). Callers must treat the
 * result as read-only: every caller of the key gets the same object.
 */
export function oncePerRequest<T>(key: string, load: () => Promise<T>): Promise<T> {
  const memo = scope.getStore();
  if (!memo) return load();
  let p = memo.get(key) as Promise<T> | undefined;
  if (!p) {
    p = load();
    memo.set(key, p);
    p.catch(() => memo.delete(key));
  }
  return p;
}
