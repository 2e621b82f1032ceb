/**
 * Typed calls to the Gần Dân API. Request and response types come from the generated schema.d.ts
 * (`npm run gen:api`), never written by hand.
 */
import type { components, paths } from './schema';

export type Schemas = components['schemas'];
export type Procedure = Schemas['ProcedureOut'];
export type Unit = Schemas['UnitOut'];
export type LoginRequest = Schemas['LoginRequest'];
export type LoginResponse = Schemas['LoginResponse'];
export type MeResponse = Schemas['MeResponse'];
export type User = Schemas['UserOut'];
export type Role = User['role'];

/** The JSON body of a successful GET on an API path. */
type GetJson<P extends keyof paths> = paths[P] extends {
  get: { responses: { 200: { content: { 'application/json': infer T } } } };
}
  ? T
  : never;
/** The JSON body of a successful POST on an API path. */
type PostJson<P extends keyof paths> = paths[P] extends {
  post: { responses: { 200: { content: { 'application/json': infer T } } } };
}
  ? T
  : never;

/** Every error the API returns has this shape (see backend/core/errors.py). */
export interface ApiErrorBody {
  status_code: number;
  detail: string;
  detail_vi?: string | null;
  extra?: Record<string, unknown> | null;
}

/** The server answered with an error status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody,
  ) {
    super(body.detail || `HTTP ${status}`);
    this.name = 'ApiError';
  }
  /** The server asks this device to erase all its local data (revoked device). */
  get wipe(): boolean {
    return this.body.extra?.['wipe'] === true;
  }
  /** The message to show: Vietnamese when the interface is Vietnamese. */
  message_for(lang: 'vi' | 'en'): string {
    return (lang === 'vi' && this.body.detail_vi) || this.body.detail;
  }
}

/** No answer at all: offline, server down, or the request timed out. */
export class NetworkError extends Error {
  constructor(cause: unknown) {
    super('network error', { cause });
    this.name = 'NetworkError';
  }
}

interface Options {
  token?: string | null;
  method?: 'GET' | 'POST';
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined>;
  timeoutMs?: number;
  /** Extra request headers, e.g. X-Booking-Token (a citizen's booking secret). */
  headers?: Record<string, string>;
}

/** One JSON call to the API; throws ApiError (an error status) or NetworkError (no answer). */
export async function call<T>(
  path: string,
  { token, method = 'GET', body, query, timeoutMs = 15_000, headers: extra }: Options = {},
): Promise<T> {
  const url = new URL(path, globalThis.location?.origin ?? 'http://localhost');
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
  const headers: Record<string, string> = { Accept: 'application/json', ...extra };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers['Authorization'] = `Bearer ${token}`;
  let response: Response;
  try {
    response = await fetch(url.pathname + url.search, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw new NetworkError(err);
  }
  if (response.status === 204) return undefined as T;
  let json: unknown = null;
  try {
    json = await response.json();
  } catch {
    json = null;
  }
  if (!response.ok) {
    const errorBody =
      json && typeof json === 'object' && 'detail' in json
        ? (json as ApiErrorBody)
        : { status_code: response.status, detail: response.statusText || `HTTP ${response.status}` };
    throw new ApiError(response.status, errorBody);
  }
  return json as T;
}

export const api = {
  health: () => call<GetJson<'/api/health'>>('/api/health'),
  procedures: (limit = 500) => call<GetJson<'/api/procedures'>>('/api/procedures', { query: { limit } }),
  procedure: (code: string) =>
    call<GetJson<'/api/procedures/{code}'>>(`/api/procedures/${encodeURIComponent(code)}`),
  units: (q: string, limit = 20) =>
    call<GetJson<'/api/units'>>('/api/units', { query: { q, level: 'commune', limit } }),
  login: (data: LoginRequest) =>
    call<PostJson<'/api/auth/login'>>('/api/auth/login', { method: 'POST', body: data }),
  me: (token: string) => call<GetJson<'/api/auth/me'>>('/api/auth/me', { token, timeoutMs: 8_000 }),
  logout: (token: string) => call<void>('/api/auth/logout', { method: 'POST', token, timeoutMs: 5_000 }),
};
