/**
 * The physical limits of this machine, served by Fastify the way Préau's server is (one process):
 * `GET /hello` answers a constant JSON; `GET /pk/:id` answers one row read by primary key with pg
 * (a pool of 20 connections, as the Préau server); `POST /write` inserts its JSON body as one row in a scratch
 * table, one commit each (the WAL flushed, as every write of Préau's): what a write can cost at the least.
 * With a size in bytes as second argument, `GET /pk/:id` answers the row padded to that size (a JSON string field
 * built once, the row's JSON joined to it per request): what an answer of a page's size costs at the least.
 * Prints `LISTENING <port>` once ready; stops on SIGTERM (the scratch table dropped).
 */
import Fastify from 'fastify';
import pg from 'pg';

const databaseUrl = process.argv[2];
const padTo = Number(process.argv[3] ?? 0);
const pad = 'x'.repeat(padTo);
const pool = databaseUrl ? new pg.Pool({ connectionString: databaseUrl, max: 20 }) : null;
const app = Fastify({ logger: false });
const SCRATCH = 'bench_baseline_write';
if (pool) {
  await pool.query(
    `CREATE TABLE IF NOT EXISTS ${SCRATCH} (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), body jsonb NOT NULL)`,
  );
}

app.get('/hello', async () => ({ hello: 'world' }));
app.get<{ Params: { id: string } }>('/pk/:id', async (req, reply) => {
  if (!pool) return reply.code(500).send({ error: 'no database' });
  const res = await pool.query('SELECT id, login, display_name FROM app_user WHERE id = $1', [req.params.id]);
  if (res.rowCount === 0) return reply.code(404).send({ error: 'not found' });
  if (!padTo) return res.rows[0];
  const row = JSON.stringify(res.rows[0]);
  const fill = pad.slice(0, Math.max(0, padTo - row.length - 22));
  return reply.type('application/json; charset=utf-8').send(`{"row":${row},"padding":"${fill}"}`);
});

app.post('/write', async (req, reply) => {
  if (!pool) return reply.code(500).send({ error: 'no database' });
  const res = await pool.query(`INSERT INTO ${SCRATCH} (body) VALUES ($1) RETURNING id, at`, [
    JSON.stringify(req.body),
  ]);
  return reply.code(201).send(res.rows[0]);
});

await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
process.stdout.write(`LISTENING ${typeof address === 'object' && address ? address.port : 0}\n`);
process.once('SIGTERM', async () => {
  await app.close();
  await pool?.query(`DROP TABLE IF EXISTS ${SCRATCH}`);
  await pool?.end();
  process.exit(0);
});
