import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ARTIFACTS, close, launch, login, newTab } from '../src/browser.ts';

/**
 * The portal's first load in a browser with an empty cache: the login page, then the portal. What the browser
 * downloads, as it downloads it (compressed, docs/PERFORMANCE.md), is kept in e2e/artifacts/first-load.json.
 */
const BUDGET_JS_BYTES = 200_000;
const DIST = resolve(import.meta.dirname, '../../web/dist');

/** The size of a file of the build as gzip sends it (the `.gz` written at build time). */
const gzipped = (path: string) => {
  const gz = join(DIST, `${path}.gz`);
  return existsSync(gz) ? statSync(gz).size : statSync(join(DIST, path)).size;
};

beforeAll(async () => {
  await launch();
});
afterAll(async () => {
  await close();
});

describe('first load', () => {
  test('login then portal: under 200 kB of compressed JavaScript, hashed files immutable, index revalidated', async () => {
    const { page, context } = await newTab();
    const responses: { url: string; type: string; bytes: number; encoding: string; cache: string }[] = [];
    page.on('requestfinished', async (request) => {
      const response = await request.response();
      if (!response) return;
      const sizes = await request.sizes();
      const headers = await response.allHeaders();
      responses.push({
        url: new URL(request.url()).pathname,
        type: request.resourceType(),
        bytes: sizes.responseBodySize,
        encoding: headers['content-encoding'] ?? 'identity',
        cache: headers['cache-control'] ?? '',
      });
    });
    await page.goto('/login');
    await login(page, 'eleve.demo');
    const h1 = page.locator('main h1').filter({ hasText: /Bonjour|Charte/ });
    await h1.waitFor();
    if ((await h1.textContent())?.startsWith('Charte')) {
      await page.getByText(/J'ai lu la charte/).click();
      await page.getByRole('button', { name: 'Accepter et continuer' }).click();
      await page.locator('main h1', { hasText: 'Bonjour' }).waitFor();
    }
    await page.locator('[data-testid="service-tiles"], [data-testid="no-services"]').first().waitFor();
    await page.waitForLoadState('networkidle');
    await context.close();

    // Each script once (a resource read again from the memory cache reports no transfer).
    const scripts = [...new Map(responses.filter((r) => r.type === 'script').map((r) => [r.url, r])).values()];
    const transferred = [...new Set(scripts.map((s) => s.url))].reduce(
      (sum, url) => sum + Math.max(0, ...responses.filter((r) => r.url === url).map((r) => r.bytes)),
      0,
    );
    const gzip = scripts.reduce((sum, r) => sum + gzipped(r.url), 0);
    writeFileSync(
      join(ARTIFACTS, 'first-load.json'),
      `${JSON.stringify({ javascript: { gzipBytes: gzip, transferredBytes: transferred, files: scripts.map((s) => s.url) }, responses }, null, 2)}\n`,
    );
    expect(scripts.length).toBeGreaterThan(0);
    expect(gzip).toBeLessThan(BUDGET_JS_BYTES);
    // Sent as compressed at build time, cached for good; the page itself is revalidated on every load.
    for (const s of scripts) {
      expect(s.encoding, s.url).toMatch(/^(br|gzip)$/);
      expect(s.cache, s.url).toBe('public, max-age=31536000, immutable');
    }
    const html = responses.find((r) => r.type === 'document');
    expect(html?.cache).toBe('no-cache');
  });
});
