/**
 * Rule keep-alive-timeout-idle-only: a server's `keepAliveTimeout` runs only
 * between requests. It is armed when a response ends with no other request
 * waiting, and disarmed when the next request arrives: a connection with a
 * request in progress — a handler slower than the idle close, requests held
 * unanswered — is not closed by it, however long it is. `server.timeout`
 * (`server.setTimeout()`) governs that connection instead: 0 by default (no
 * limit), and set, the server closes it that long after the request's last
 * bytes. The same holds for `https.Server`.
 *
 * Source: Node's test-http-server-keep-alive-timeout.js and
 * test-https-server-keep-alive-timeout.js (keepAliveTimeout 50 ms, three
 * pipelined requests unanswered: `server.setTimeout(500)` fires);
 * Node docs, `server.keepAliveTimeout` ("the number of milliseconds of
 * inactivity a server needs to wait for additional incoming data, after it
 * has finished writing the last response"), `server.timeout` (default 0 since
 * 13.0.0); lib/_http_server.js (resOnFinish arms the idle timer;
 * resetSocketTimeout puts `server.timeout` back when a request arrives).
 * Versions: the same on every release probed (18.14.0, 20.20.2, 26.12.1);
 * `server.timeout` is 0 on all of them, for http and https. The idle close's
 * length follows keep-alive-timeout-server-close (helpers/node-server.ts):
 * keepAliveTimeout 200 ms, or + 1000 ms where the buffer is fixed
 * (SERVER_IDLE_CLOSE.fixedBuffer: 1001 ms is the shortest there).
 */
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { once } from 'node:events';
import { startServer, type Handler, type ServerFixture } from '../helpers/server';
import { defer } from '../helpers/cleanup';
import { idleCloseMs, shortIdle } from '../helpers/node-server';
import { within, TIMER_EARLY_MS, TIMER_LATE_MS } from '../helpers/wait';
import { serverTls, clientTls } from '../fixtures/tls';
import { message } from '../fixtures/messages';

const EARLY = TIMER_EARLY_MS;
const LATE = TIMER_LATE_MS;
/** How long past the idle close the slow handler answers. */
const PAST_IDLE = 200;
/**
 * The idle close asked of the server: 200 ms (1001 ms where the buffer is
 * fixed) leaves the client 200 ms to send its next request after a response
 * before the idle close could take the connection, on a loaded machine too.
 */
const IDLE = 200;
/** `server.setTimeout()` in the held-requests case: 250 ms past IDLE, 500 ms short of the fixed buffer's 1001. */
const SERVER_TIMEOUT = 450;

/** Both kinds of server run side by side in each test (the idle close costs up to 1 s each). */
const KINDS = [
  { name: 'http.Server', tls: undefined },
  { name: 'https.Server', tls: serverTls },
] as const;
type Kind = (typeof KINDS)[number];

const get = (path: string) => message(`GET ${path} HTTP/1.1`, ['Host: localhost']);

/** A raw client connection (TCP, or TLS for https.Server) writing exact request bytes. */
interface Client {
  localPort: number;
  send(text: string): void;
  /** Everything received so far. */
  received(): string;
  /** Resolves once what was received matches `pattern`. */
  receives(pattern: RegExp, ms: number): Promise<void>;
  isClosed(): boolean;
}

async function connect(kind: Kind, port: number): Promise<Client> {
  const socket: net.Socket = kind.tls ? tls.connect({ host: '127.0.0.1', port, ...clientTls }) : net.connect(port, '127.0.0.1');
  defer(() => socket.destroy());
  await within(2_000, `${kind.name}: connect`, once(socket, kind.tls ? 'secureConnect' : 'connect'));
  socket.setEncoding('latin1');
  let text = '';
  let closed = false;
  let wake: (() => void) | undefined;
  socket.on('data', (chunk: string) => ((text += chunk), wake?.()));
  for (const event of ['end', 'close', 'error']) socket.on(event, () => ((closed = true), wake?.()));
  return {
    localPort: socket.localPort ?? -1,
    send: (t) => void socket.write(t, 'latin1'),
    received: () => text,
    receives: (pattern, ms) =>
      within(ms, `${kind.name}: a response matching ${pattern}`, (async () => {
        while (!pattern.test(text)) {
          if (closed) throw new Error(`${kind.name}: closed before ${pattern}; got ${JSON.stringify(text)}`);
          await new Promise<void>((resolve) => (wake = resolve));
        }
      })()),
    isClosed: () => closed,
  };
}

/** The accepted connection (from 1) that carried `client`'s requests. */
function connectionOf(srv: ServerFixture, client: Client): number {
  return srv.requests.find((r) => r.peerPort === client.localPort)?.connection ?? -1;
}

/** The URLs of `client`'s requests, as the server saw them on its connection. */
function seenOn(srv: ServerFixture, client: Client): string[] {
  const n = connectionOf(srv, client);
  return srv.requests.filter((r) => r.connection === n).map((r) => `${r.url}`);
}

/** Run `check` for each kind's result, naming the kind in a failure. */
function forEachKind<T extends { kind: Kind }>(results: T[], check: (result: T) => void): void {
  for (const result of results) {
    try {
      check(result);
    } catch (error) {
      (error as Error).message = `${result.kind.name}: ${(error as Error).message}`;
      throw error;
    }
  }
}

/**
 * One server of `kind` with the shortest idle close; `/slow` is answered
 * PAST_IDLE ms after the idle close would have come, and says whether its
 * connection was still open then; anything else at once.
 */
async function slowHandlerCase(kind: Kind) {
  const answered: string[] = [];
  let answeredAt = 0;
  let srv: ServerFixture | undefined;
  const handler: Handler = (req, res) => {
    req.resume();
    if (req.url !== '/slow') return void res.end('first');
    const timer = setTimeout(() => {
      answered.push(req.socket.destroyed ? 'written on a closed connection' : 'answered on an open connection');
      answeredAt = performance.now();
      res.end('slow');
    }, idleCloseMs(srv!.server) + PAST_IDLE);
    defer(() => clearTimeout(timer));
  };
  srv = await startServer({ ...shortIdle(IDLE), tls: kind.tls, handler });
  const idleClose = idleCloseMs(srv.server);
  const [busy, idle] = [await connect(kind, srv.port), await connect(kind, srv.port)];
  busy.send(get('/first'));
  idle.send(get('/first'));
  await Promise.all([busy.receives(/first$/, 2_000), idle.receives(/first$/, 2_000)]);
  busy.send(get('/slow'));
  const bound = idleClose + PAST_IDLE + 2_000;
  const [neighbourIdle] = await Promise.all([srv.idleBeforeClose(connectionOf(srv, idle), bound), busy.receives(/slow$/, bound)]);
  const first = srv.requests.find((r) => r.connection === connectionOf(srv!, busy))!;
  return { kind, srv, idleClose, busy, idle, answered, neighbourIdle, busyFor: answeredAt - first.finishedAt! };
}

/**
 * Two servers of `kind` with the shortest idle close, one with
 * `server.setTimeout(SERVER_TIMEOUT)`: on each, one request answered, then
 * three pipelined requests held unanswered. Resolves once the timed server
 * has closed its connection.
 */
async function heldRequestsCase(kind: Kind) {
  /** A handler answering /first and holding every other request; `heldAt` is when the last held one arrived. */
  const holding = () => {
    const seen = { heldAt: 0 };
    const handler: Handler = (req, res) => {
      req.resume();
      if (req.url === '/first') return void res.end('first');
      seen.heldAt = performance.now(); // never answered
    };
    return { seen, handler };
  };
  const [onTimedServer, onPlainServer] = [holding(), holding()];
  const [timed, plain] = await Promise.all([
    startServer({ ...shortIdle(IDLE), tls: kind.tls, handler: onTimedServer.handler }),
    startServer({ ...shortIdle(IDLE), tls: kind.tls, handler: onPlainServer.handler }),
  ]);
  timed.server.setTimeout(SERVER_TIMEOUT);
  const clients = await Promise.all([connect(kind, timed.port), connect(kind, plain.port)]);
  for (const client of clients) client.send(get('/first'));
  await Promise.all(clients.map((client) => client.receives(/first$/, 2_000)));
  for (const client of clients) client.send(get('/held/1') + get('/held/2') + get('/held/3'));
  const closedAt = await within(SERVER_TIMEOUT + 2_000, `${kind.name}: the timed server closing the connection`, timed.closed(1));
  const [onTimed, onPlain] = clients;
  return {
    kind,
    timed,
    plain,
    onTimed: onTimed!,
    onPlain: onPlain!,
    idleClose: idleCloseMs(timed.server),
    closedAfter: closedAt - onTimedServer.seen.heldAt,
    plainOpen: !plain.connections[0]!.destroyed && !onPlain!.isClosed(),
  };
}

describe('keepAliveTimeout runs only between requests: a connection with a request in progress is governed by server.timeout', () => {
  it('server.timeout is 0 (no limit) by default, for http.Server and https.Server', () => {
    expect([http.createServer().timeout, https.createServer(serverTls).timeout]).toEqual([0, 0]);
  });

  it("a handler slower than the idle close is answered on its kept-alive connection, while its idle neighbour is closed by the server at the idle close, keepAliveTimeout (+ the release's buffer) after its response (http.Server and https.Server)", async () => {
    const results = await Promise.all(KINDS.map(slowHandlerCase));

    forEachKind(results, ({ srv, idleClose, busy, idle, answered, neighbourIdle, busyFor }) => {
      expect(seenOn(srv, busy)).toEqual(['/first', '/slow']);
      expect(seenOn(srv, idle)).toEqual(['/first']);
      expect(srv.connections).toHaveLength(2);
      expect(srv.server.timeout).toBe(0);
      // Busy past the moment its idle timer, armed by /first's response, would have closed it.
      expect(busyFor).toBeGreaterThan(idleClose + PAST_IDLE - EARLY);
      expect(answered).toEqual(['answered on an open connection']);
      expect((busy.received().match(/HTTP\/1\.1 200 /g) ?? []).length).toBe(2);
      // The counter-case: the neighbour, idle after its response, closed by the server.
      expect(neighbourIdle).toBeGreaterThanOrEqual(idleClose - EARLY);
      expect(neighbourIdle).toBeLessThan(idleClose + LATE);
      expect(idle.isClosed()).toBe(true);
    });
  });

  it(`server.setTimeout(${SERVER_TIMEOUT}) governs it instead: after a response, three pipelined requests held unanswered are closed ${SERVER_TIMEOUT} ms after they arrived, when the same connection on a server with the default server.timeout is still open (http.Server and https.Server)`, async () => {
    const results = await Promise.all(KINDS.map(heldRequestsCase));

    forEachKind(results, ({ timed, plain, onTimed, onPlain, idleClose, closedAfter, plainOpen }) => {
      expect([timed.server.timeout, plain.server.timeout]).toEqual([SERVER_TIMEOUT, 0]);
      expect(seenOn(timed, onTimed)).toEqual(['/first', '/held/1', '/held/2', '/held/3']);
      expect(seenOn(plain, onPlain)).toEqual(['/first', '/held/1', '/held/2', '/held/3']);
      expect(closedAfter).toBeGreaterThanOrEqual(SERVER_TIMEOUT - EARLY);
      // Not at the idle close either, where that comes later (1001 ms with the fixed buffer).
      expect(closedAfter).toBeLessThan(idleClose > SERVER_TIMEOUT ? Math.min(SERVER_TIMEOUT + LATE, idleClose - EARLY) : SERVER_TIMEOUT + LATE);
      expect((onTimed.received().match(/HTTP\/1\.1 /g) ?? []).length).toBe(1); // no answer to the held ones
      expect(plainOpen).toBe(true);
    });
  });
});
