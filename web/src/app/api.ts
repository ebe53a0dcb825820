import type { EndpointInput, EndpointName, EndpointOutput, Endpoints, Problem } from '@preau/contracts';
// The zod-free entry of the contracts: endpoint keys are all the web needs at run time.
import { fillPath, splitKey } from '@preau/contracts/api';
import i18n from './i18n.ts';

/** A failed API call: the server's problem+json, or a network/unknown failure mapped to the same shape. */
export class ApiError extends Error {
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(problem.detail);
    this.problem = problem;
  }
  get status(): number {
    return this.problem.status;
  }
  get code(): string {
    return this.problem.code;
  }
  /**
   * Field errors keyed by the field's path in the body (`uai`, `usageRules.whoEnters`…), worded for people: the web's
   * own wording of the reason's code in the current language when it has one, else the server's message — and
   * never a bare code (a message that is one gives way to the problem's text).
   */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of this.problem.errors ?? []) {
      const path = e.path.replace(/^\/?(body|querystring|params)[./]/, '').replace(/\//g, '.');
      out[path] ??= fieldText(e, this);
    }
    return out;
  }

  fieldError(path: string): string | undefined {
    return this.fieldErrors()[path];
  }
}

const CODE = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/;

/**
 * What a person reads for a failed call: the web's own wording of the problem's code (`errors.code.<CODE>` in the
 * locale files: the current language, plurals by number) when it has one, else the server's `detail` — which the
 * server words in the language of the request. Never the code itself.
 */
export function problemText(error: ApiError): string {
  const key = `errors.code.${error.code}`;
  const seconds = error.problem.retryAfterSeconds;
  if (i18n.exists(key)) return i18n.t(key, seconds === undefined ? {} : { count: seconds });
  if (error.problem.detail && !CODE.test(error.problem.detail)) return error.problem.detail;
  return i18n.t('errors.unknown');
}

function fieldText(e: { message: string; code?: string }, error: ApiError): string {
  const code = e.code ?? (CODE.test(e.message) ? e.message : undefined);
  if (code && i18n.exists(`errors.code.${code}`)) return i18n.t(`errors.code.${code}`);
  if (CODE.test(e.message)) return problemText(error);
  return e.message;
}

let csrfToken: string | null = null;

/** The CSRF token comes from login, activation and GET /api/me; every state-changing request sends it. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

type Input<K extends EndpointName> = EndpointInput<Endpoints[K]>;
/** The arguments of `call`: none when the endpoint takes nothing, else its params/query/body. */
type CallArgs<K extends EndpointName> = keyof Input<K> extends never ? [] : [Input<K>];

/**
 * Calls a typed endpoint by its key (`call('GET /api/portal', { query: { establishment } })`): the path, the
 * query and the body are checked against the contract, and the answer is typed by it.
 */
export function call<K extends EndpointName>(key: K, ...args: CallArgs<K>): Promise<EndpointOutput<Endpoints[K]>> {
  const { method, path } = splitKey(key);
  const input = (args[0] ?? {}) as {
    params?: Record<string, unknown>;
    query?: Record<string, unknown>;
    body?: unknown;
  };
  const url = withQuery(fillPath(path, input.params), (input.query ?? {}) as Record<string, string | number>);
  return api(method, url, input.body ?? (method === 'GET' || method === 'DELETE' ? undefined : {}));
}

export async function api<T>(method: Method, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json, application/problem+json' };
  headers['Accept-Language'] = i18n.language?.startsWith('en') ? 'en' : 'fr';
  const form = body instanceof FormData;
  if (body !== undefined && !form) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : form ? body : JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch {
    throw new ApiError({ status: 0, code: 'NETWORK', detail: i18n.t('errors.network') });
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    const p = data as Partial<Problem> | null;
    throw new ApiError({
      status: res.status,
      code: p?.code ?? 'UNKNOWN',
      detail: p?.detail ?? i18n.t('errors.unknown'),
      errors: p?.errors,
      retryAfterSeconds: p?.retryAfterSeconds,
    });
  }
  return data as T;
}

export const get = <T>(path: string) => api<T>('GET', path);
export const post = <T>(path: string, body?: unknown) => api<T>('POST', path, body ?? {});
export const patch = <T>(path: string, body: unknown) => api<T>('PATCH', path, body);
/** A multipart upload (files and fields); the browser sets the boundary. */
export const postForm = <T>(path: string, form: FormData) => api<T>('POST', path, form);
export const del = <T>(path: string) => api<T>('DELETE', path);

/** Builds `path?a=1&b=2`, leaving out empty values. */
export function withQuery(path: string, query: Record<string, string | number | undefined | null>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `${path}?${s}` : path;
}

/**
 * A POST that answers a file (login sheets: printing hands out codes, so it is not a GET link). The file is
 * saved under the name the server gives; a refusal throws the server's problem like any call.
 */
export async function postDownload(path: string, body: unknown, fallbackName: string): Promise<void> {
  const headers: Record<string, string> = {
    Accept: 'application/pdf, application/problem+json',
    'Accept-Language': i18n.language?.startsWith('en') ? 'en' : 'fr',
    'Content-Type': 'application/json',
  };
  if (csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, { method: 'POST', headers, body: JSON.stringify(body), credentials: 'same-origin' });
  } catch {
    throw new ApiError({ status: 0, code: 'NETWORK', detail: i18n.t('errors.network') });
  }
  if (!res.ok) {
    const p = (await res.json().catch(() => null)) as Partial<Problem> | null;
    throw new ApiError({
      status: res.status,
      code: p?.code ?? 'UNKNOWN',
      detail: p?.detail ?? i18n.t('errors.unknown'),
      errors: p?.errors,
    });
  }
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** An upload in progress: its answer, and a way to cancel it. */
export interface UploadHandle<T> {
  done: Promise<T>;
  abort: () => void;
}

/**
 * A multipart upload to a typed endpoint with progress events (`loaded`, `total` bytes): XMLHttpRequest, since
 * fetch reports no upload progress. Errors are the same `ApiError`s as `call`'s; an abort rejects with status 0.
 */
export function callUpload<K extends EndpointName>(
  key: K,
  params: Record<string, string>,
  form: FormData,
  onProgress: (loaded: number, total: number) => void,
): UploadHandle<EndpointOutput<Endpoints[K]>> {
  const { method, path } = splitKey(key);
  const xhr = new XMLHttpRequest();
  const done = new Promise<EndpointOutput<Endpoints[K]>>((resolve, reject) => {
    xhr.open(method, fillPath(path, params));
    xhr.setRequestHeader('Accept', 'application/json, application/problem+json');
    xhr.setRequestHeader('Accept-Language', i18n.language?.startsWith('en') ? 'en' : 'fr');
    if (csrfToken) xhr.setRequestHeader('X-CSRF-Token', csrfToken);
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : 0);
    xhr.onload = () => {
      let data: unknown = null;
      try {
        data = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        data = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) return resolve(data as EndpointOutput<Endpoints[K]>);
      const p = data as Partial<Problem> | null;
      reject(
        new ApiError({
          status: xhr.status,
          code: p?.code ?? 'UNKNOWN',
          detail: p?.detail ?? i18n.t('errors.unknown', { status: xhr.status }),
          errors: p?.errors,
        }),
      );
    };
    xhr.onerror = () => reject(new ApiError({ status: 0, code: 'NETWORK', detail: i18n.t('errors.network') }));
    xhr.onabort = () => reject(new ApiError({ status: 0, code: 'ABORTED', detail: i18n.t('errors.network') }));
    xhr.send(form);
  });
  return { done, abort: () => xhr.abort() };
}
