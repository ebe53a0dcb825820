import { isResponseSerializationError } from 'fastify-type-provider-zod';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { testApp } from '../../../test/helpers.ts';
import { responseSerializerCompiler } from './serializer.ts';

const Schema = z.object({
  id: z.uuid(),
  name: z.string(),
  email: z.string().nullable(),
  status: z.enum(['active', 'blocked']),
  count: z.number().int(),
  tags: z.array(z.object({ code: z.string(), since: z.iso.date().optional() })),
});
const value = {
  id: '6f1c2a34-9d1e-4a55-8c7b-0a1b2c3d4e5f',
  name: 'Élise « Ä » \u2028 "quoted"',
  email: null,
  status: 'active',
  count: 3,
  tags: [{ code: '2NDE3', since: '2026-09-01' }, { code: 'LV2' }],
};
const compile = (validate: boolean) =>
  responseSerializerCompiler({ validate })({ schema: Schema, method: 'GET', url: '/x', httpStatus: '200' });

describe('response serializer', () => {
  it('writes what zod and JSON.stringify write, unknown keys dropped', () => {
    for (const validate of [false, true]) {
      const out = compile(validate)({ ...value, secret: 'not in the contract' });
      expect(JSON.parse(out)).toEqual(value);
      expect(out).not.toContain('secret');
    }
  });

  it('with validation, a response that breaks its contract throws the serialization error (a 500)', () => {
    let error: unknown;
    try {
      compile(true)({ ...value, status: 'unknown' });
    } catch (e) {
      error = e;
    }
    expect(isResponseSerializationError(error)).toBe(true);
  });

  it('without validation, a missing required field still fails instead of writing a partial object', () => {
    const { name: _name, ...partial } = value;
    expect(() => compile(false)(partial)).toThrow();
  });
});

describe('security headers', () => {
  it('every answer carries the headers computed once at start, API and errors alike', async () => {
    const { app } = await testApp();
    for (const url of ['/api/health', '/api/me', '/nowhere']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.headers['content-security-policy']).toBe(
        "default-src 'self';script-src 'self';style-src 'self' 'unsafe-inline';img-src 'self' data:;font-src 'self' data:;connect-src 'self';object-src 'none';base-uri 'self';form-action 'self';frame-ancestors 'none'",
      );
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['strict-transport-security']).toBeUndefined();
    }
  });

  it('in production, HSTS too', async () => {
    const { app } = await testApp({ production: true });
    const res = await app.inject({ method: 'GET', url: '/api/health' });
    expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
  });
});
