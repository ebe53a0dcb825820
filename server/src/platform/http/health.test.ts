import { createServer } from 'node:net';
import { describe, expect, test } from 'vitest';
import { testApp } from '../../../test/helpers.ts';
import { buildApp } from '../../app.ts';
import { testConfig } from '../config.ts';
import { createDatabase } from '../db/database.ts';

const { app } = await testApp();

/** A port nobody listens on: taken from the OS, then released. */
async function closedPort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => ok(port));
    });
  });
}

describe('GET /api/health', () => {
  test('200 ok with the database answering, no session needed', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', database: 'ok' });
  });

  test('503 database down when PostgreSQL does not answer', async () => {
    const url = `postgres://postgres:x@127.0.0.1:${await closedPort()}/preau`;
    const db = createDatabase(url, 1);
    const broken = await buildApp({ config: testConfig(url), db });
    await broken.ready();
    try {
      const res = await broken.inject({ method: 'GET', url: '/api/health' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toEqual({ status: 'degraded', database: 'down' });
      // Other routes answer 503 DATABASE_DOWN (not a bug: 500 INTERNAL would say so), in the request's language.
      const login = await broken.inject({
        method: 'POST',
        url: '/api/auth/login',
        headers: { 'accept-language': 'en' },
        payload: { login: 'a', password: 'b' },
      });
      expect(login.statusCode).toBe(503);
      expect(login.headers['content-type']).toContain('application/problem+json');
      expect(login.json()).toMatchObject({ code: 'DATABASE_DOWN', detail: 'The database is not answering.' });
    } finally {
      await broken.close();
      await db.destroy();
    }
  });

  test('503 when the connection pool has been destroyed', async () => {
    const fresh = await testApp();
    expect((await fresh.app.inject({ method: 'GET', url: '/api/health' })).statusCode).toBe(200);
    await fresh.db.destroy();
    const res = await fresh.app.inject({ method: 'GET', url: '/api/health' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ status: 'degraded', database: 'down' });
  });
});
