/**
 * A loopback HTTP(S) server fixture that records what the server saw.
 *
 * The client's port, as the server sees it (`req.socket.remotePort`), is the
 * identity of a TCP connection: two requests shared a connection exactly when
 * the server saw the same peer port. The fixture records it for every request,
 * with the request's Connection and Keep-Alive headers, and counts the TCP
 * connections the server accepted.
 *
 * Listens on 127.0.0.1, port 0 (the OS picks a free port). `close()` ends
 * idle keep-alive sockets too, so it never hangs; it is also deferred to the
 * end of the current test (see cleanup.ts).
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { once } from 'node:events';
import { defer } from './cleanup';
import { within } from './wait';
import { connectionLines, recordAfterTest, recordTimelineAfterTest, timelineDir, watchEnd, type TimelineConnection } from './evidence';

export interface SeenRequest {
  /** The client's port as the server saw it: which TCP connection carried the request. */
  peerPort: number;
  /** Which accepted connection carried it, counting from 1 in accept order. */
  connection: number;
  method: string;
  url: string;
  httpVersion: string;
  /** The request's `Connection` header, if any. */
  connectionHeader: string | undefined;
  /** The request's `Keep-Alive` header, if any. */
  keepAliveHeader: string | undefined;
  /** `performance.now()` when the server finished sending the response (undefined until then). */
  finishedAt: number | undefined;
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export interface ServerFixtureOptions extends http.ServerOptions {
  /** Answers each request. Default: drain the body, reply 200 with the peer port as text. */
  handler?: Handler;
  /** 127.0.0.1 (default) or ::1. */
  host?: string;
  /** A port known in advance (from get-port); default 0, the OS picks one. */
  port?: number;
  /** Serve HTTPS with this key and certificate (see fixtures/tls). */
  tls?: https.ServerOptions;
}

export interface ServerFixture {
  server: http.Server;
  host: string;
  port: number;
  /** `http://127.0.0.1:PORT` (or https://, or http://[::1]:PORT). */
  origin: string;
  /** Every request, in arrival order. */
  requests: SeenRequest[];
  /** Every TCP connection the server accepted, in accept order. */
  connections: Socket[];
  /** HTTPS only: every completed TLS handshake, in order; `resumed` = session resumption. */
  tlsHandshakes: Array<{ resumed: boolean | undefined; protocol: string | null }>;
  /** The peer port of each request, in arrival order. */
  peerPorts(): number[];
  /** How many distinct connections carried requests. */
  distinctPeerPorts(): number;
  /** Resolves once the server has accepted `n` connections in all. */
  accepted(n: number): Promise<void>;
  /** Resolves with `performance.now()` at the moment the n-th accepted connection (from 1) closed. */
  closed(connection: number): Promise<number>;
  /**
   * Milliseconds the n-th connection sat idle before it closed: from the end
   * of its last response to its 'close', both taken on the server, where the
   * idle timer runs. Waits at most `boundMs` for the close.
   */
  idleBeforeClose(connection: number, boundMs?: number): Promise<number>;
  /** Close the server and every connection, idle keep-alive ones included. */
  close(): Promise<void>;
}

/**
 * A handler that answers "ok" with one header of its own choosing, such as
 * `Keep-Alive: timeout=1` or `Connection: close`; an array sends the header
 * once per value.
 */
export function respondWithHeader(name: string, value: string | string[]): Handler {
  return (req, res) => {
    req.resume();
    res.setHeader(name, value);
    res.end('ok');
  };
}

/**
 * A handler that answers "<url> ok", except that the first request for `path`
 * arriving on an already used connection is dropped: the socket is destroyed
 * with no response — the race in which a server closes a kept-alive
 * connection just as the client reuses it. `page` answers "/" when given.
 */
export function dropFirstReused(path: string, page?: string): Handler {
  const served = new WeakMap<object, number>();
  let dropped = false;
  return (req, res) => {
    const n = (served.get(req.socket) ?? 0) + 1;
    served.set(req.socket, n);
    req.resume();
    if (page !== undefined && req.url === '/') {
      res.setHeader('Content-Type', 'text/html');
      res.end(page);
      return;
    }
    if (req.url === path && n > 1 && !dropped) {
      dropped = true;
      req.socket.destroy();
      return;
    }
    res.end(`${req.url} ok`);
  };
}

/** Default handler: consume the request body, answer with the peer port. */
export const echoPeerPort: Handler = (req, res) => {
  req.resume();
  res.end(String(req.socket.remotePort));
};

/** 1-based accept-order number of the TCP connection under `socket` (-1 if unknown). */
function connectionNumber(connections: Socket[], socket: Socket): number {
  const index = connections.indexOf(socket);
  if (index >= 0) return index + 1;
  // Over TLS, req.socket wraps the accepted TCP socket and shares its peer port.
  for (let i = connections.length - 1; i >= 0; i--) {
    if (connections[i]?.remotePort === socket.remotePort) return i + 1;
  }
  return -1;
}

/** [name, value, name, value, …] as pairs. */
function pairs(raw: string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i]!, raw[i + 1]!]);
  return out;
}

/** Servers started in the current test, for evidence labels. */
let serverCount = 0;

export async function startServer(options: ServerFixtureOptions = {}): Promise<ServerFixture> {
  const { handler = echoPeerPort, host = '127.0.0.1', port: wanted = 0, tls, ...serverOptions } = options;
  const server: http.Server = tls
    ? https.createServer({ ...serverOptions, ...tls })
    : http.createServer(serverOptions);

  const connections: Socket[] = [];
  const requests: SeenRequest[] = [];
  const tlsHandshakes: ServerFixture['tlsHandshakes'] = [];
  // Read at handshake time: a closed TLSSocket no longer knows.
  server.on('secureConnection', (socket: TLSSocket) =>
    tlsHandshakes.push({ resumed: typeof socket.isSessionReused === 'function' ? socket.isSessionReused() : undefined, protocol: typeof socket.getProtocol === 'function' ? socket.getProtocol() : null }),
  );
  const closedAt = new Map<Socket, Promise<number>>();
  server.on('connection', (socket: Socket) => {
    connections.push(socket);
    // A plain listener: events.once() would reject if 'error' (a reset) came first.
    closedAt.set(socket, new Promise((resolve) => socket.once('close', () => resolve(performance.now()))));
  });
  // The report's timeline (helpers/evidence.ts): only where KA_TIMELINE_DIR is set.
  const timeline: TimelineConnection[] | undefined = timelineDir() ? [] : undefined;
  if (timeline) {
    server.on('connection', (socket: Socket) => {
      const conn: TimelineConnection = { connection: connections.length, peerPort: socket.remotePort ?? -1, acceptedAt: performance.now(), requests: [] };
      timeline.push(conn);
      watchEnd(socket, conn);
    });
    // Over TLS the TLS socket carries the events; the first sign on either socket counts.
    server.on('secureConnection', (socket: TLSSocket) => {
      const conn = timeline.find((c) => c.peerPort === socket.remotePort && !c.end);
      if (conn) watchEnd(socket, conn);
    });
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      const conn = timeline[connectionNumber(connections, req.socket) - 1];
      if (!conn) return;
      const seen: TimelineConnection['requests'][number] = {
        method: req.method ?? '',
        url: req.url ?? '',
        httpVersion: `HTTP/${req.httpVersion}`,
        arrivedAt: performance.now(),
        requestHeaders: pairs(req.rawHeaders),
      };
      conn.requests.push(seen);
      res.on('finish', () => {
        seen.finishedAt = performance.now();
        seen.status = res.statusCode;
        seen.responseHeaders = Object.entries(res.getHeaders()).flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map((v): [string, string] => [name, String(v)]));
      });
    });
  }
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const seen: SeenRequest = {
      peerPort: req.socket.remotePort ?? -1,
      connection: connectionNumber(connections, req.socket),
      method: req.method ?? '',
      url: req.url ?? '',
      httpVersion: req.httpVersion,
      connectionHeader: req.headers.connection,
      keepAliveHeader: req.headers['keep-alive'] as string | undefined,
      finishedAt: undefined,
    };
    requests.push(seen);
    res.on('finish', () => (seen.finishedAt = performance.now()));
    handler(req, res);
  });

  server.listen(wanted, host);
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      if (!server.listening) return;
      const closed = once(server, 'close');
      server.close();
      server.closeAllConnections();
      for (const socket of connections) socket.destroy();
      await closed;
    })();
    return closing;
  };
  defer(close);
  const number = ++serverCount;
  defer(() => (serverCount = 0)); // numbered per test
  recordAfterTest(`server ${number}${tls ? ' (TLS)' : ''}`, () => connectionLines(requests, connections.length));
  if (timeline) {
    const startedAt = performance.now();
    recordTimelineAfterTest(() => ({ label: `server ${number}${tls ? ' (TLS)' : ''}`, kind: tls ? 'https' : 'http', startedAt, port, connections: timeline }));
  }

  const hostInUrl = host.includes(':') ? `[${host}]` : host;
  const fixture: ServerFixture = {
    server,
    host,
    port,
    origin: `${tls ? 'https' : 'http'}://${hostInUrl}:${port}`,
    requests,
    connections,
    tlsHandshakes,
    peerPorts: () => requests.map((r) => r.peerPort),
    distinctPeerPorts: () => new Set(requests.map((r) => r.peerPort)).size,
    accepted: (n) =>
      new Promise<void>((resolve) => {
        const check = () => connections.length >= n && (server.off('connection', check), resolve());
        server.on('connection', check);
        check();
      }),
    closed: (connection) => {
      const socket = connections[connection - 1];
      if (!socket) return Promise.reject(new Error(`no connection #${connection}`));
      return closedAt.get(socket)!;
    },
    idleBeforeClose: async (connection, boundMs = 3_000) => {
      const at = await within(boundMs, `connection #${connection} closing`, fixture.closed(connection));
      const last = requests.filter((r) => r.connection === connection).pop();
      if (last?.finishedAt === undefined) throw new Error(`connection #${connection} has no finished response`);
      return Math.round(at - last.finishedAt);
    },
    close,
  };
  return fixture;
}
