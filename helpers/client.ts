/**
 * One HTTP(S) request through a given agent, as a promise.
 *
 * Resolves when the response body has been read to its end (by default), with
 * what the client knows: status, headers, body, whether the agent handed it a
 * reused socket, and the local port (the same number the server sees as the
 * peer port). With `consume: false` it resolves as soon as the response head
 * arrives and leaves the body unread — the response is then the caller's.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { Socket } from 'node:net';

export interface Target {
  port: number;
  host?: string;
  /** 'https:' for TLS; default 'http:'. */
  protocol?: 'http:' | 'https:';
}

export interface RequestOptions {
  /** The agent to go through. `undefined` = Node's global agent; `false` = a fresh one-shot agent. */
  agent?: http.Agent | false;
  method?: string;
  path?: string;
  headers?: http.OutgoingHttpHeaders;
  body?: string;
  /** Read the body to its end before resolving (default true). */
  consume?: boolean;
  /** Extra options for https requests (e.g. `ca`). */
  tls?: https.RequestOptions;
}

export interface ClientResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The body text ('' when `consume: false`). */
  body: string;
  /** `req.reusedSocket`: the agent gave this request a socket that had served another. */
  reused: boolean;
  /** The client's local port: the server saw this as the peer port. */
  localPort: number;
  socket: Socket;
  /** Resolves with `performance.now()` when this socket closes (listened for from the response on). */
  closed: Promise<number>;
  /** `performance.now()` when the body ended (undefined with `consume: false`). */
  endedAt: number | undefined;
  req: http.ClientRequest;
  res: http.IncomingMessage;
}

export function request(target: Target, options: RequestOptions = {}): Promise<ClientResult> {
  const { agent, method = 'GET', path = '/', headers, body, consume = true, tls } = options;
  const lib = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(
      { ...tls, host: target.host ?? '127.0.0.1', port: target.port, method, path, headers, agent },
      (res) => {
        const socket = req.socket as Socket;
        // A plain listener: events.once() would reject if 'error' (a reset) came first.
        const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(performance.now())));
        const result: ClientResult = {
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: '',
          reused: req.reusedSocket,
          localPort: socket.localPort ?? -1,
          socket,
          closed,
          endedAt: undefined,
          req,
          res,
        };
        if (!consume) return resolve(result);
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (result.body += chunk));
        res.on('end', () => {
          result.endedAt = performance.now();
          resolve(result);
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Run `requests` one after another, each after the previous body has ended. */
export async function serially<T>(count: number, send: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let i = 0; i < count; i++) results.push(await send(i));
  return results;
}

