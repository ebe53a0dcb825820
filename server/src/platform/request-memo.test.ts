import Fastify from 'fastify';
import { expect, test } from 'vitest';
import { installRequestMemo, oncePerRequest } from './request-memo.ts';

async function app() {
  const a = Fastify();
  installRequestMemo(a);
  let loads = 0;
  const read = () =>
    oncePerRequest('k', async () => {
      const n = ++loads;
      await new Promise((r) => setTimeout(r, 5));
      return n;
    });
  const handler = async () => {
    const [x, y] = await Promise.all([read(), read()]);
    const z = await read();
    return { x, y, z };
  };
  a.get('/r', handler);
  a.post('/w', handler);
  await a.ready();
  return { a, loads: () => loads };
}

test('a GET request reads once per key; each request afresh', async () => {
  const { a, loads } = await app();
  expect((await a.inject({ method: 'GET', url: '/r' })).json()).toEqual({ x: 1, y: 1, z: 1 });
  expect((await a.inject({ method: 'GET', url: '/r' })).json()).toEqual({ x: 2, y: 2, z: 2 });
  expect(loads()).toBe(2);
});

test('a request that may write (POST) never shares a read', async () => {
  const { a, loads } = await app();
  expect((await a.inject({ method: 'POST', url: '/w' })).json()).toEqual({ x: 1, y: 2, z: 3 });
  expect(loads()).toBe(3);
});

test('outside a request (a job) nothing is remembered; a failed read is not kept', async () => {
  let n = 0;
  const load = () => oncePerRequest('j', async () => ++n);
  expect([await load(), await load()]).toEqual([1, 2]);
  const a = Fastify();
  installRequestMemo(a);
  let attempts = 0;
  a.get('/f', async () => {
    const flaky = () =>
      oncePerRequest('f', async () => {
        attempts++;
        if (attempts === 1) throw new Error('first fails');
        return attempts;
      });
    await flaky().catch(() => null);
    return { v: await flaky() };
  });
  expect((await a.inject({ method: 'GET', url: '/f' })).json()).toEqual({ v: 2 });
});
