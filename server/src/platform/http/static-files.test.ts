import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../../../test/helpers.ts';
import type { App } from '../module.ts';

const JS = `export const hello = ${JSON.stringify('Bonjour '.repeat(200))};\n`;
const HTML = `<!doctype html><html lang="fr"><head><title>Préau</title></head><body>${'<div></div>'.repeat(100)}</body></html>`;

describe('the web app files', () => {
  let dir: string;
  let app: App;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'preau-web-'));
    mkdirSync(join(dir, 'assets'));
    for (const [name, content] of [
      ['assets/index-AbC123.js', JS],
      ['index.html', HTML],
    ] as const) {
      writeFileSync(join(dir, name), content);
      writeFileSync(join(dir, `${name}.br`), brotliCompressSync(content));
      writeFileSync(join(dir, `${name}.gz`), gzipSync(content));
    }
    writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    ({ app } = await testApp({ webDist: dir }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('hashed assets: the brotli file made at build time, cached for a year, immutable', async () => {
    const res = await app.inject({
      url: '/assets/index-AbC123.js',
      headers: { 'accept-encoding': 'gzip, deflate, br' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.headers.vary).toMatch(/accept-encoding/i);
    expect(res.rawPayload.equals(brotliCompressSync(JS))).toBe(true);
  });

  it('gzip for a client without brotli, the plain file for one without either', async () => {
    const gz = await app.inject({ url: '/assets/index-AbC123.js', headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.rawPayload).toString()).toBe(JS);
    const plain = await app.inject({ url: '/assets/index-AbC123.js', headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(JS);
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('index.html and the SPA fallback are revalidated on every load (a deployment shows at once)', async () => {
    for (const url of ['/', '/portail', '/admin/utilisateurs?page=2']) {
      const res = await app.inject({ url, headers: { 'accept-encoding': 'br' } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['content-encoding']).toBe('br');
    }
    const fav = await app.inject({ url: '/favicon.svg' });
    expect(fav.headers['cache-control']).toBe('no-cache');
  });

  it('an unknown API route is still a 404 problem, not the web app', async () => {
    const res = await app.inject({ url: '/api/nowhere' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
  });
});
