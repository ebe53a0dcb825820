import { isResponseSerializationError } from 'fastify-type-provider-zod';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { testApp } from '../../../test/helpers.ts';
import { JsonWriter, jsonOf, member, membersOf, openObjectOf } from './raw-json.ts';
import { RawJson, responseSerializerCompiler, toJsonSchema } from './serializer.ts';

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

describe('an answer already written as JSON (RawJson)', () => {
  const raw = (v: unknown) => new RawJson(Buffer.from(JSON.stringify(v)));

  it('is sent as it is, checked or not', () => {
    const answer = raw(value);
    expect(compile(false)(answer)).toBe(answer.bytes);
    expect(compile(true)(answer)).toBe(answer.bytes);
  });

  it('with validation (the tests), a raw answer that breaks its contract fails like any other', () => {
    let error: unknown;
    try {
      compile(true)(raw({ ...value, status: 'unknown' }));
    } catch (e) {
      error = e;
    }
    expect(isResponseSerializationError(error)).toBe(true);
    const { name: _name, ...partial } = value;
    expect(() => compile(true)(raw(partial))).toThrow();
    // What the schema does not hold: the compiled serializer would have dropped it, a raw answer must not send it.
    expect(() => compile(true)(raw({ ...value, secret: 'x' }))).toThrow(/holds what its schema does not/);
    expect(() => compile(true)(raw({ ...value, tags: [{ code: 'A', extra: 1 }] }))).toThrow();
    expect(() => compile(true)(new RawJson(Buffer.from('{"id":')))).toThrow();
    // Without validation, nothing is looked at (production).
    expect(compile(false)(raw({ ...value, status: 'unknown' }))).toBeInstanceOf(Buffer);
  });

  it('JsonWriter puts text and kept bytes together, growing past its first size', () => {
    const kept = Buffer.from(jsonOf(Schema)(Schema.parse(value)));
    const w = new JsonWriter(8);
    w.raw('{"list":[');
    for (let i = 0; i < 50; i++) w.raw(i ? ',' : '').bytes(kept);
    w.raw('],"n":').value(50).raw(',"s":').value('é « \u2028 » "q"').raw(',"z":').value(null).raw('}');
    const parsed = JSON.parse(w.done().bytes.toString('utf8'));
    expect(parsed.list).toHaveLength(50);
    expect(parsed.list[49]).toEqual(value);
    expect(parsed).toMatchObject({ n: 50, s: 'é « \u2028 » "q"', z: null });
  });

  it('openObjectOf and membersOf leave an object open for more members', () => {
    const Opt = z.object({ a: z.string().optional(), b: z.number().optional() });
    expect(openObjectOf(Opt)({})).toBe('{');
    expect(member(openObjectOf(Opt)({}), 'c')).toBe('"c":');
    expect(`${openObjectOf(Opt)({ a: 'x' })}${member(openObjectOf(Opt)({ a: 'x' }), 'c')}1}`).toBe('{"a":"x","c":1}');
    expect(membersOf(Opt)({})).toBe('');
    expect(membersOf(Opt)({ a: 'x', b: 2 })).toBe('"a":"x","b":2');
  });

  it('a nullable scalar or object is compiled as a type list, not an alternative checked per value', () => {
    const json = JSON.stringify(
      toJsonSchema(z.object({ id: z.uuid().nullable(), o: z.object({ n: z.number() }).nullable() })),
    );
    expect(json).not.toContain('anyOf');
    const s = jsonOf(z.object({ id: z.uuid().nullable(), o: z.object({ n: z.number() }).nullable() }));
    expect(JSON.parse(s({ id: null, o: null }))).toEqual({ id: null, o: null });
    expect(JSON.parse(s({ id: value.id, o: { n: 1 } }))).toEqual({ id: value.id, o: { n: 1 } });
    // A real alternative stays one.
    const Either = z.object({ x: z.union([z.object({ a: z.string() }), z.object({ b: z.number() })]).nullable() });
    expect(JSON.stringify(toJsonSchema(Either))).toContain('anyOf');
    expect(JSON.parse(jsonOf(Either)({ x: { b: 2 } }))).toEqual({ x: { b: 2 } });
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
