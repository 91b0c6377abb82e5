/**
 * The one contract every client column meets. An adapter is a module whose
 * default export is a `ClientAdapter`: one client as a user would create it
 * (default options, or the keep-alive option the library documents). A
 * request that fails rejects with the error the library gave, unchanged.
 * Adding a client is one file in clients/adapters/, or a file of your own
 * named by KA_CLIENT (see README, "The clients people use").
 */
export interface RequestOptions {
  method: string;
  headers?: Record<string, string>;
  body?: string;
  /** A timeout for this request only, in the library's own terms (its timeout option). */
  timeoutMs?: number;
}

export interface ClientResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The whole response body, read to its end. */
  body: string;
}

export interface ClientAdapter {
  name: string;
  version: string;
  request(url: string, options: RequestOptions): Promise<ClientResponse>;
  close?(): Promise<void>;
}

/** Why `value` is not a ClientAdapter, or undefined if it is one. */
export function contractBreach(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'its default export is not an object';
  const a = value as Record<string, unknown>;
  if (typeof a.name !== 'string' || a.name === '') return 'its default export has no string "name"';
  if (typeof a.version !== 'string' || a.version === '') return 'its default export has no string "version"';
  if (typeof a.request !== 'function') return 'its default export has no request(url, options) function';
  if (a.close !== undefined && typeof a.close !== 'function') return 'its default export has a "close" that is not a function';
  return undefined;
}

/** Plain headers from a Headers object, a Map-like or a record. */
export function plainHeaders(headers: unknown): ClientResponse['headers'] {
  const out: ClientResponse['headers'] = {};
  if (headers && typeof (headers as Headers).forEach === 'function' && typeof (headers as Headers).get === 'function') {
    (headers as Headers).forEach((value, key) => (out[key.toLowerCase()] = value));
    return out;
  }
  for (const [key, value] of Object.entries((headers ?? {}) as Record<string, unknown>)) {
    out[key.toLowerCase()] = Array.isArray(value) ? value.map(String) : value === undefined ? undefined : String(value);
  }
  return out;
}

/**
 * The error a caller saw, in words: each error of the cause chain as its code
 * (or name) and message, ports and addresses left out so it reads the same
 * on every run: "ECONNRESET 'socket hang up'", "TypeError 'fetch failed' ←
 * UND_ERR_SOCKET 'other side closed'".
 */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  let e: unknown = error;
  for (let depth = 0; e && depth < 3; depth++) {
    const err = e as { code?: unknown; name?: unknown; message?: unknown; cause?: unknown };
    const code = typeof err.code === 'string' && err.code ? err.code : typeof err.name === 'string' ? err.name : 'Error';
    const message = String(err.message ?? e)
      .replace(/https?:\/\/[^\s'"]+/g, 'URL')
      .replace(/\b\d{1,3}(\.\d{1,3}){3}(:\d+)?/g, 'ADDR')
      .replace(/\s+/g, ' ')
      .slice(0, 60);
    parts.push(message ? `${code} '${message}'` : code);
    e = err.cause;
  }
  return parts.join(' ← ');
}
