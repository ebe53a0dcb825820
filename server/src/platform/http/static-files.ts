import type { FastifyStaticOptions } from '@fastify/static';

/** A year: the longest lifetime caches honour, for files whose name changes with their content. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * How the web app's files are served: `assets/` holds Vite's content-hashed files, cached for a year and never
 * revalidated; everything else (index.html, the SPA fallback, favicon) is revalidated on every use (ETag), so a
 * deployment is seen at the next page load. Each text file is sent as the `.br` or `.gz` made at build time
 * (scripts/precompress-web.mjs) when the browser accepts it: no compression at request time.
 */
export function webAppStatic(root: string): FastifyStaticOptions {
  return {
    root,
    wildcard: false,
    index: false,
    preCompressed: true,
    cacheControl: false,
    setHeaders: (reply, path) => {
      reply.header('cache-control', /[\\/]assets[\\/]/.test(path) ? IMMUTABLE : 'no-cache');
    },
  };
}
