/**
 * The servers lane's measurements, from a raw client socket (helpers/raw.ts):
 * the bytes of each response, whether the server ended the connection with a
 * FIN or a RST, and when, from the client's side. The spec files compare
 * these with servers/findings.json; `npm run check:server` prints them for a
 * user's own server. Every wait is bounded.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { openRaw, parseHead, type RawConnection, type RawResponse } from '../helpers/raw';
import { within } from '../helpers/wait';
import type { Running } from './adapters';

export const request = (path: string, extra: string[] = []) => [`GET ${path} HTTP/1.1`, 'Host: 127.0.0.1', ...extra].join('\r\n') + '\r\n\r\n';

/** When the server finished its latest response to a client port: performance.now(), or undefined. */
export type ResponseClock = (clientPort: number) => number | undefined;

/**
 * The server's own clock for "the end of the response", where the idle timer
 * starts: measured on the client, a loaded event loop delays the moment the
 * client sees the response and makes a close look early. The close itself is
 * still seen on the client (its FIN or RST).
 */
export function responseClock(server: Server): ResponseClock {
  const finished = new Map<number, number>();
  server.on('request', (req, res) => {
    const port = req.socket.remotePort;
    res.once('finish', () => port !== undefined && finished.set(port, performance.now()));
  });
  return (port) => finished.get(port);
}

export interface Close {
  /** performance.now() when the client saw the end. */
  at: number;
  /** FIN: the server ended the connection ('end'); RST: reset (ECONNRESET or similar, the code given). */
  how: 'FIN' | 'RST';
  code?: string;
}

/** How and when the peer ends `socket`: the first of a FIN ('end') or an error (a reset). */
export function watchClose(socket: Socket): Promise<Close> {
  return new Promise((resolve) => {
    socket.once('end', () => resolve({ at: performance.now(), how: 'FIN' }));
    socket.once('error', (error: NodeJS.ErrnoException) => resolve({ at: performance.now(), how: 'RST', code: error.code }));
    socket.once('close', () => resolve({ at: performance.now(), how: 'FIN' })); // closed without 'end' or 'error': taken as FIN
  });
}

export interface WatchedConnection extends RawConnection {
  ended: Promise<Close>;
}

export async function connect(port: number): Promise<WatchedConnection> {
  const raw = await openRaw(port);
  return Object.assign(raw, { ended: watchClose(raw.socket) });
}

/** Resolves with the close if it comes within `ms`, else undefined. */
export async function closeWithin(conn: WatchedConnection, ms: number): Promise<Close | undefined> {
  return within(ms, 'close', conn.ended).catch(() => undefined);
}

export interface Idle {
  /** The Keep-Alive response header, if any. */
  keepAlive: string | undefined;
  /** The Connection response header, if any. */
  connection: string | undefined;
  /** The N of `timeout=N`, if advertised. */
  advertisedS: number | undefined;
  /** Milliseconds from the end of the response to the server's close; undefined if still open at the bound. */
  closedAfterMs: number | undefined;
  how: Close['how'] | undefined;
  /** Bytes the server sent after the response, before its close (a 408, say); '' when it closed silently. */
  sentBeforeClose: string;
  /** How long it waited for the close. */
  boundMs: number;
}

export function advertisedTimeout(keepAlive: string | undefined): number | undefined {
  const m = /(?:^|,)\s*timeout=(\d+)/i.exec(keepAlive ?? '');
  return m ? Number(m[1]) : undefined;
}

/** One request, then how long the server lets the connection idle, waiting at most `boundMs`. */
export async function measureIdle(port: number, path: string, boundMs: number, clock?: ResponseClock): Promise<Idle> {
  const conn = await connect(port);
  conn.send(request(path));
  const res = await conn.readResponse(5_000);
  const start = clock?.(conn.localPort) ?? performance.now();
  const close = await closeWithin(conn, boundMs);
  const sentBeforeClose = conn.pending();
  conn.socket.destroy();
  const keepAlive = res.headers['keep-alive']?.join(', ');
  return {
    keepAlive,
    connection: res.headers['connection']?.join(', '),
    advertisedS: advertisedTimeout(keepAlive),
    closedAfterMs: close ? Math.round(close.at - start) : undefined,
    how: close?.how,
    sentBeforeClose,
    boundMs,
  };
}

export interface SlowSecond {
  /** Status of the second request's response, if one came (before the head was complete, too: a 408). */
  status: number | undefined;
  /** The server ended the connection before the rest of the head was sent (answered or not). */
  early: boolean;
  /** When the server closed the connection, ms after the second head's first line was sent (undefined: it did not). */
  closedAfterMs: number | undefined;
  how: Close['how'] | undefined;
  /** The pause inside the second request's head. */
  gapMs: number;
}

/**
 * A kept-alive connection's second request arrives slowly: its first line at
 * once after the first response, the rest of its head `gapMs` later.
 * Whether the server answers it, or closes the connection mid-head, and how
 * long after the first line (the last byte it had).
 */
export async function measureSlowSecond(port: number, path: string, gapMs: number): Promise<SlowSecond> {
  const conn = await connect(port);
  conn.send(request(path));
  await conn.readResponse(5_000);
  conn.send(`GET ${path} HTTP/1.1\r\n`);
  // Measured from this last byte: every chunk of a head restarts a Node server's idle timer.
  const start = performance.now();
  const early = await closeWithin(conn, gapMs);
  if (early) {
    // Whatever the server sent before it closed (Node's 408 when headersTimeout is checked in time): the bytes decide, not the close.
    const sent = conn.pending();
    conn.socket.destroy();
    const status = sent.includes('\r\n\r\n') ? parseHead(sent.slice(0, sent.indexOf('\r\n\r\n'))).status : undefined;
    return { status, early: true, closedAfterMs: Math.round(early.at - start), how: early.how, gapMs };
  }
  conn.send('Host: 127.0.0.1\r\n\r\n');
  let res: RawResponse | undefined;
  try {
    res = await conn.readResponse(5_000);
  } catch {
    res = undefined;
  }
  const late = conn.isClosed() ? await conn.ended : undefined;
  conn.socket.destroy();
  return { status: res?.status, early: false, closedAfterMs: late ? Math.round(late.at - start) : undefined, how: late?.how, gapMs };
}

export interface PerConnection {
  /** Responses received on the one connection. */
  served: number;
  /** The response (1-based) that said Connection: close, if one did. */
  closeOn: number | undefined;
  /** The max= of Keep-Alive on the first response, if advertised. */
  advertisedMax: number | undefined;
  /** Requests sent. */
  sent: number;
}

/** `n` serial requests on one connection, stopping at the first Connection: close or close. */
export async function measureRequestsPerConnection(port: number, path: string, n: number): Promise<PerConnection> {
  const conn = await connect(port);
  let served = 0;
  let closeOn: number | undefined;
  let advertisedMax: number | undefined;
  let sent = 0;
  for (let i = 1; i <= n && !conn.isClosed(); i++) {
    conn.send(request(path));
    sent++;
    let res: RawResponse;
    try {
      res = await conn.readResponse(5_000);
    } catch {
      break;
    }
    served++;
    if (i === 1) {
      const m = /max=(\d+)/i.exec(res.headers['keep-alive']?.join(', ') ?? '');
      advertisedMax = m ? Number(m[1]) : undefined;
    }
    if (/close/i.test(res.headers['connection']?.join(',') ?? '')) {
      closeOn = i;
      break;
    }
  }
  conn.socket.destroy();
  return { served, closeOn, advertisedMax, sent };
}

export interface Outcome {
  /** Status, or undefined if no response came. */
  status: number | undefined;
  /** The Connection response header. */
  connection: string | undefined;
  /** Closed by the server after (or instead of) the response, within the bound; how. */
  closed: Close['how'] | undefined;
  /** For a new connection: the connect error (ECONNREFUSED), if it failed. */
  connectError: string | undefined;
}

export interface Shutdown {
  /** When stop() resolved, ms after it was called (undefined: not within the bound). */
  stopMs: number | undefined;
  /** The idle kept-alive connection: how and when (ms after stop()) the server closed it; undefined: still open at the end. */
  idle: { how: Close['how'] | undefined; afterMs: number | undefined };
  /** The busy connection: its response (the request was in the handler when stop() was called), and whether the server then closed it within `boundMs`. */
  busy: Outcome & { afterMs: number | undefined; closedAfterMs: number | undefined };
  boundMs: number;
}

async function outcome(conn: WatchedConnection, ms: number, closeMs: number): Promise<Outcome> {
  let res: RawResponse | undefined;
  try {
    res = await conn.readResponse(ms);
  } catch {
    res = undefined;
  }
  const close = await closeWithin(conn, res ? closeMs : 50);
  return { status: res?.status, connection: res?.headers['connection']?.join(', '), closed: close?.how, connectError: undefined };
}

/** One idle kept-alive connection, and one whose GET /slow?ms=slowMs is in its handler. */
async function idleAndBusy(target: Running, slowMs: number): Promise<{ idle: WatchedConnection; busy: WatchedConnection }> {
  const idle = await connect(target.port);
  idle.send(request('/fast'));
  await idle.readResponse(5_000);
  const busy = await connect(target.port);
  const inHandler = new Promise((resolve) => target.events.once('slow', resolve));
  busy.send(request(`/slow?ms=${slowMs}`));
  await within(5_000, 'slow request reaching its handler', inHandler);
  return { idle, busy };
}

/**
 * Shutdown with one idle and one busy kept-alive connection: stop() is
 * called while the busy one's request is in its handler. How long stop()
 * takes, what happens to each connection; every wait at most `boundMs`.
 */
export async function measureShutdown(target: Running, slowMs: number, boundMs: number): Promise<Shutdown> {
  const { idle, busy } = await idleAndBusy(target, slowMs);
  const t0 = performance.now();
  let stoppedAt: number | undefined;
  const stopped = target.stop().then(
    () => (stoppedAt = performance.now()),
    () => (stoppedAt = performance.now()),
  );
  let res: RawResponse | undefined;
  try {
    res = await busy.readResponse(boundMs);
  } catch {
    res = undefined;
  }
  const answeredAt = res ? (target.clock(busy.localPort) ?? performance.now()) : undefined;
  const left = Math.max(0, boundMs - (performance.now() - t0));
  const busyClose = await closeWithin(busy, left);
  await within(Math.max(1, boundMs - (performance.now() - t0)), 'stop()', stopped).catch(() => undefined);
  const idleClose = idle.isClosed() ? await idle.ended : undefined;
  for (const c of [idle, busy]) c.socket.destroy();
  return {
    stopMs: stoppedAt === undefined ? undefined : Math.round(stoppedAt - t0),
    idle: { how: idleClose?.how, afterMs: idleClose ? Math.max(0, Math.round(idleClose.at - t0)) : undefined },
    busy: {
      status: res?.status,
      connection: res?.headers['connection']?.join(', '),
      closed: busyClose?.how,
      connectError: undefined,
      afterMs: answeredAt === undefined ? undefined : Math.round(answeredAt - t0),
      closedAfterMs: busyClose && answeredAt !== undefined ? Math.max(0, Math.round(busyClose.at - answeredAt)) : undefined,
    },
    boundMs,
  };
}

export interface DuringShutdown {
  /** A request pipelined on the busy connection right after stop() was called. */
  pipelined: Outcome;
  /** A request on a new connection opened right after stop() was called. */
  fresh: Outcome;
}

/**
 * Requests that arrive during shutdown: stop() is called while a slow request
 * is in its handler; at once a second request is pipelined behind it on the
 * same kept-alive connection, and a new connection sends one.
 */
export async function measureDuringShutdown(target: Running, slowMs: number): Promise<DuringShutdown> {
  const { idle, busy } = await idleAndBusy(target, slowMs);
  const stopped = target.stop().catch(() => undefined);
  busy.send(request('/fast'));
  // stoppable acts one macrotask after stop(): the new connection comes after that.
  await new Promise((resolve) => setImmediate(resolve));
  let fresh: Outcome;
  try {
    const conn = await connect(target.port);
    conn.send(request('/fast'));
    fresh = await outcome(conn, 2_000, 300);
    conn.socket.destroy();
  } catch (error) {
    fresh = { status: undefined, connection: undefined, closed: undefined, connectError: (error as NodeJS.ErrnoException).code ?? (error as Error).message };
  }
  try {
    await busy.readResponse(slowMs + 3_000);
  } catch {
    // no response to the first request: the pipelined one gets none either
  }
  const pipelined = await outcome(busy, 1_000, 300);
  for (const c of [idle, busy]) c.socket.destroy();
  void stopped;
  return { pipelined, fresh };
}
