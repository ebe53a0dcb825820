import { existsSync } from 'node:fs';
import { join } from 'node:path';
import cookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { EstablishmentSource } from '@preau/contracts';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { jsonSchemaTransform, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { modules as defaultModules } from './modules/index.ts';
import { requireServiceOpen } from './modules/services/index.ts';
import { isKnownPermission, registerPermissions } from './platform/access/permissions.ts';
import { installCaches } from './platform/cache.ts';
import type { Config } from './platform/config.ts';
import type { Database } from './platform/db/schema.ts';
import { authenticate, checkRoutePermission } from './platform/http/auth-hooks.ts';
import type { RequestContext } from './platform/http/context.ts';
import { healthRoutes } from './platform/http/health.ts';
import { errorHandler, problem, sendProblem } from './platform/http/problem.ts';
import { securityHeaders } from './platform/http/security-headers.ts';
import { responseSerializerCompiler } from './platform/http/serializer.ts';
import { webAppStatic } from './platform/http/static-files.ts';
import { isWorded, pickLang, registerMessages } from './platform/i18n.ts';
import type { App, ModuleDefinition } from './platform/module.ts';
import { configurePasswordQueue } from './platform/passwords.ts';
import { registerModuleDeclarations } from './platform/registry.ts';
import { installRequestMemo } from './platform/request-memo.ts';
import { type BlobStorage, createStorage } from './platform/storage/index.ts';
import { UsageRecorder } from './platform/usage.ts';

export interface RouteInfo {
  method: string;
  url: string;
  auth: 'public' | 'session' | 'permission';
  permission: string | undefined;
  service: string | undefined;
  /** The module that registered the route (the authorization matrix keeps its rows per module). */
  module: string | undefined;
}

/** Routes as registered, for the authorization matrix test and the docs. */
export const registeredRoutes = new WeakMap<FastifyInstance, RouteInfo[]>();

/** Each app's usage recorder, so tests can flush it (the server flushes on close). */
export const usageRecorders = new WeakMap<FastifyInstance, UsageRecorder>();

export interface BuildOptions {
  config: Config;
  db: Kysely<Database>;
  modules?: ModuleDefinition[];
  /** File storage; default: the one `config.storage` names. */
  storage?: BlobStorage;
  /** Where this instance LISTENs for cache invalidations (platform/cache.ts); without it, no in-memory caches. */
  listenUrl?: string;
}

/** build() apart from listen(): tests inject requests into the same app the server runs. */
export async function buildApp({
  config,
  db,
  modules = defaultModules,
  storage = createStorage(config.storage),
  listenUrl,
}: BuildOptions): Promise<App> {
  const app = Fastify({
    logger: {
      level: config.logLevel,
      redact: {
        paths: [
          'req.headers.cookie',
          'req.headers["x-csrf-token"]',
          'req.headers.authorization',
          'res.headers["set-cookie"]',
        ],
        censor: '[redacted]',
      },
    },
    // A hop count trusts that many proxies in front of us (X-Forwarded-For read from the right).
    trustProxy:
      typeof config.trustProxy === 'number'
        ? (_addr: string, hop: number) => hop < (config.trustProxy as number)
        : config.trustProxy,
    bodyLimit: 1024 * 1024,
    routerOptions: { ignoreTrailingSlash: true },
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(responseSerializerCompiler({ validate: config.validateResponses }));
  app.setErrorHandler(errorHandler);
  configurePasswordQueue({
    concurrency: config.argon2Concurrency,
    budgetMs: config.loginQueueBudgetMs,
    maxQueue: config.loginQueueMax,
  });

  const usage = new UsageRecorder(db, (e) => app.log.error({ err: e }, 'usage events lost'));
  app.addHook('onClose', async () => {
    await usage.flush();
  });
  usageRecorders.set(app, usage);

  const routes: RouteInfo[] = [];
  registeredRoutes.set(app, routes);
  const services = { requireOpen: requireServiceOpen };
  app.addHook('onRoute', (route) => {
    const url = route.url ?? route.path;
    if (!url.startsWith('/api/') || url.startsWith('/api/docs')) return;
    const cfg = (route.config ?? {}) as { auth?: 'public' | 'session'; permission?: string; service?: string };
    if (!cfg.auth && !cfg.permission) {
      throw new Error(
        `Route ${String(route.method)} ${url} declares neither a permission nor auth: 'public'|'session'`,
      );
    }
    for (const method of [route.method].flat()) {
      if (method === 'HEAD') continue;
      routes.push({
        method: String(method),
        url,
        auth: cfg.permission ? 'permission' : (cfg.auth ?? 'session'),
        permission: cfg.permission,
        service: cfg.service,
        module: undefined,
      });
    }
  });

  app.decorateRequest('ctx', null as unknown as RequestContext);
  installRequestMemo(app);
  app.addHook('onRequest', async (req) => {
    req.ctx = {
      db,
      config,
      user: null,
      lang: pickLang(req.headers['accept-language']),
      ip: req.ip,
      userAgent: req.headers['user-agent'] ?? null,
      usage,
      storage,
      log: req.log,
      services,
    };
  });

  await app.register(cookie);
  app.addHook(
    'onRequest',
    securityHeaders({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
        },
      },
      strictTransportSecurity: config.production,
    }),
  );

  if (listenUrl && config.caches) await installCaches(app, { db, listenUrl, barrier: config.cacheBarrier });
  app.addHook('onRequest', authenticate);
  app.addHook('preHandler', checkRoutePermission);

  await app.register(swagger, {
    openapi: {
      info: { title: 'Préau API', version: '0.1.0', description: 'API of the Préau ENT' },
      components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'preau_session' } } },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });

  await app.register(healthRoutes);

  registerModuleDeclarations(modules);
  for (const mod of modules) {
    registerPermissions(mod.permissions);
    if (mod.messages) registerMessages(mod.name, mod.messages);
    checkContract(mod);
    const firstRoute = routes.length;
    await app.register(
      async (scope) => {
        const typed = scope as unknown as App;
        if (mod.service) {
          const key = mod.service;
          typed.addHook('onRoute', (route) => {
            const url = route.url ?? route.path;
            const source = (route.config as { establishment?: EstablishmentSource } | undefined)?.establishment;
            if (url.startsWith('/api/') && !source) {
              throw new Error(
                `Route ${String(route.method)} ${url} of service module ${mod.name} must say where it names its establishment`,
              );
            }
            route.config = { ...(route.config ?? {}), service: key };
          });
          typed.addHook('preHandler', async (req) => {
            const id = namedEstablishment(req);
            // `object` and `none`: the use case resolves the establishment and passes the gate in authorize().
            if (id !== null) await requireServiceOpen(req.ctx, key, id);
          });
        }
        await mod.plugin(typed);
      },
      { prefix: mod.prefix },
    );
    // The app-level onRoute hook runs before the module scope's own, so it saw no `service` yet.
    for (const r of routes.slice(firstRoute)) {
      r.module = mod.name;
      if (mod.service) r.service = mod.service;
    }
  }

  if (config.webDist && existsSync(join(config.webDist, 'index.html'))) {
    await app.register(fastifyStatic, webAppStatic(config.webDist));
    app.setNotFoundHandler((req, reply) => {
      if (req.method === 'GET' && !req.url.startsWith('/api/')) {
        return reply.type('text/html; charset=utf-8').sendFile('index.html');
      }
      return sendProblem(reply, problem(req, 404, 'NOT_FOUND'));
    });
  } else {
    app.setNotFoundHandler((req, reply) => sendProblem(reply, problem(req, 404, 'NOT_FOUND')));
  }

  return app as unknown as App;
}

/**
 * The establishment a service route names, exactly where its endpoint says (issue 8: no guess, no fallback to
 * a first membership); `null` for `object` and `none`, which the use case gates itself. Validation ran before
 * this hook, so a declared field is present and well-formed.
 */
function namedEstablishment(req: FastifyRequest): string | null {
  const source = req.routeOptions.config.establishment;
  if (!source || source === 'object' || source === 'none') return null;
  const [from, name] = Object.entries(source)[0] as ['query' | 'params' | 'body', string];
  const holder = (from === 'query' ? req.query : from === 'params' ? req.params : req.body) as
    | Record<string, unknown>
    | undefined;
  const v = holder?.[name];
  if (typeof v !== 'string') throw new Error(`Route ${req.routeOptions.url}: no establishment in ${from}.${name}`);
  return v;
}

/** A module's contract and its server declaration agree: permissions declared, every problem code worded. */
function checkContract(mod: ModuleDefinition): void {
  if (!mod.api) return;
  if (mod.api.module !== mod.name) throw new Error(`Module ${mod.name} serves the API of ${mod.api.module}`);
  for (const p of mod.api.permissions) {
    if (!isKnownPermission(p)) throw new Error(`Module ${mod.name}: permission ${p} has no default profiles`);
  }
  for (const code of mod.api.errors) {
    if (!isWorded(code)) throw new Error(`Module ${mod.name}: problem code ${code} has no wording`);
  }
}
