/**
 * Raw TCP for specs where the bytes on the wire are the point.
 *
 * `openRaw()` connects a plain `net.Socket`, lets a spec write exact request
 * text, and reads back exact response text, one framed response at a time.
 * Framing is the minimum HTTP/1.1 needs (RFC 9112 §6.3): Content-Length,
 * chunked (to its last-chunk), or read-until-close. It records when the peer
 * closed the connection, so idle-timeout specs can measure it.
 */
import * as net from 'node:net';
import { once } from 'node:events';
import { defer } from './cleanup';
import { recordAfterTest, recordTimelineAfterTest, timelineDir, watchEnd, type TimelineConnection } from './evidence';
import { within } from './wait';

export interface RawResponse {
  /** Exact bytes of the whole response (latin1 text). */
  raw: string;
  /** Exact bytes of the head, up to but not including the blank line. */
  head: string;
  status: number;
  /** Header names lower-cased; repeated headers keep every value in order. */
  headers: Record<string, string[]>;
  body: string;
}

export interface RawConnection {
  socket: net.Socket;
  localPort: number;
  /** Write exact bytes. */
  send(text: string): void;
  /** The next complete response; rejects after `ms` or if the peer closes first. */
  readResponse(ms?: number): Promise<RawResponse>;
  /** Resolves with `performance.now()` at the moment the peer ended or reset the connection. */
  closed: Promise<number>;
  /** Whether the peer has closed the connection. */
  isClosed(): boolean;
  /** Everything received and not yet returned by readResponse(). */
  pending(): string;
}

/** Parse the head of a response; header names lower-cased. */
export function parseHead(head: string): Pick<RawResponse, 'status' | 'headers'> {
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers: Record<string, string[]> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    (headers[name] ??= []).push(line.slice(colon + 1).trim());
  }
  return { status: Number(statusLine.split(' ')[1]), headers };
}

/** Length of the first complete response in `buffer`, or -1 if it is not all there yet. */
function frameLength(buffer: string, peerClosed: boolean): number {
  const headEnd = buffer.indexOf('\r\n\r\n');
  if (headEnd < 0) return -1;
  const bodyStart = headEnd + 4;
  const { status, headers } = parseHead(buffer.slice(0, headEnd));
  if (status === 204 || status === 304 || (status >= 100 && status < 200)) return bodyStart;
  const length = headers['content-length']?.[0];
  if (length !== undefined) {
    const end = bodyStart + Number(length);
    return buffer.length >= end ? end : -1;
  }
  if (/chunked/i.test(headers['transfer-encoding']?.join(',') ?? '')) {
    const last = buffer.indexOf('\r\n0\r\n\r\n', bodyStart - 2);
    return last < 0 ? -1 : last + 7;
  }
  return peerClosed ? buffer.length : -1;
}

export async function openRaw(port: number, host = '127.0.0.1'): Promise<RawConnection> {
  const socket = net.connect(port, host);
  defer(() => socket.destroy());
  await within(2_000, 'raw connect', once(socket, 'connect'));
  socket.setEncoding('latin1');

  let buffer = '';
  let peerClosed = false;
  let wake: (() => void) | undefined;
  const closed = new Promise<number>((resolve) => {
    const done = () => {
      if (peerClosed) return;
      peerClosed = true;
      resolve(performance.now());
      wake?.();
    };
    socket.on('end', done);
    socket.on('close', done);
    socket.on('error', done);
  });
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    wake?.();
  });

  const readResponse = async (ms = 2_000): Promise<RawResponse> => {
    const frame = async (): Promise<RawResponse> => {
      for (;;) {
        const length = frameLength(buffer, peerClosed);
        if (length >= 0) {
          const raw = buffer.slice(0, length);
          buffer = buffer.slice(length);
          const headEnd = raw.indexOf('\r\n\r\n');
          const head = raw.slice(0, headEnd);
          return { raw, head, ...parseHead(head), body: raw.slice(headEnd + 4) };
        }
        if (peerClosed) throw new Error(`connection closed before a full response; got ${JSON.stringify(buffer)}`);
        await new Promise<void>((resolve) => (wake = resolve));
      }
    };
    return within(ms, 'raw response', frame());
  };

  return {
    socket,
    localPort: socket.localPort ?? -1,
    send: (text) => socket.write(text, 'latin1'),
    readResponse,
    closed,
    isClosed: () => peerClosed,
    pending: () => buffer,
  };
}

export interface RawServer {
  server: net.Server;
  port: number;
  /** Every accepted connection, in accept order. */
  connections: net.Socket[];
  close(): Promise<void>;
}

/**
 * A `net` server that plays the HTTP server by hand: `onConnection` gets each
 * accepted socket and decides byte for byte what to answer (and when to
 * reset). For the misbehaving peers a real HTTP server will not imitate.
 */
export async function startRawServer(onConnection: (socket: net.Socket, index: number) => void): Promise<RawServer> {
  const connections: net.Socket[] = [];
  const ports: Array<number | undefined> = []; // read at accept: a closed socket forgets its peer
  // The report's timeline (helpers/evidence.ts): only where KA_TIMELINE_DIR is set.
  const timeline: TimelineConnection[] | undefined = timelineDir() ? [] : undefined;
  const server = net.createServer((socket) => {
    connections.push(socket);
    ports.push(socket.remotePort);
    socket.on('error', () => undefined); // resets are part of these specs
    if (timeline) watchRaw(socket, timeline);
    onConnection(socket, connections.length - 1);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const close = async () => {
    for (const socket of connections) socket.destroy();
    if (server.listening) await new Promise((resolve) => server.close(resolve));
  };
  defer(close);
  // Evidence for the course reporter: the connections it accepted, by client port.
  recordAfterTest('raw server', () => ports.map((port, i) => `conn ${i + 1} :${port}`));
  const port = (server.address() as net.AddressInfo).port;
  if (timeline) {
    const startedAt = performance.now();
    recordTimelineAfterTest(() => ({ label: 'raw server', kind: 'raw', startedAt, port, connections: timeline }));
  }
  return { server, port, connections, close };
}

/** Timeline records of raw-server sockets (only while timelines are recorded). */
const rawTimeline = new WeakMap<net.Socket, TimelineConnection>();

/**
 * Record a raw-server connection for the timeline: accepted now; requests as
 * onRequestHeads() parses them; each written status line ends the oldest
 * unanswered request's response (HTTP/1.1 answers in order), and later bytes
 * extend the latest answered one. The socket behaves as before.
 */
function watchRaw(socket: net.Socket, timeline: TimelineConnection[]): void {
  const conn: TimelineConnection = { connection: timeline.length + 1, peerPort: socket.remotePort ?? -1, acceptedAt: performance.now(), requests: [] };
  timeline.push(conn);
  rawTimeline.set(socket, conn);
  watchEnd(socket, conn);
  const write = socket.write;
  socket.write = function (this: net.Socket, ...args: unknown[]) {
    const text = typeof args[0] === 'string' ? args[0] : Buffer.isBuffer(args[0]) ? args[0].toString('latin1') : '';
    const now = performance.now();
    for (const m of text.matchAll(/HTTP\/1\.[01] (\d{3})/g)) {
      const next = conn.requests.find((r) => r.status === undefined);
      if (next) (next.status = Number(m[1])), (next.finishedAt = now);
    }
    const last = [...conn.requests].reverse().find((r) => r.status !== undefined);
    if (last) last.finishedAt = now;
    return (write as (...a: unknown[]) => boolean).apply(this, args);
  } as typeof socket.write;
}

/** Call `onRequest` for each complete request head (no body) that arrives on `socket`. */
export function onRequestHeads(socket: net.Socket, onRequest: (head: string, index: number) => void): void {
  let buffer = '';
  let count = 0;
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    for (let end = buffer.indexOf('\r\n\r\n'); end >= 0; end = buffer.indexOf('\r\n\r\n')) {
      const head = buffer.slice(0, end);
      buffer = buffer.slice(end + 4);
      const conn = rawTimeline.get(socket);
      if (conn) {
        const [method = '', url = '', httpVersion] = (head.split('\r\n')[0] ?? '').split(' ');
        conn.requests.push({ method, url, httpVersion, arrivedAt: performance.now() });
      }
      onRequest(head, count++);
    }
  });
}

/** A complete HTTP/1.1 response with a Content-Length body. */
export function rawResponse(body: string, headers: string[] = ['Connection: keep-alive']): string {
  return ['HTTP/1.1 200 OK', ...headers, `Content-Length: ${Buffer.byteLength(body)}`].join('\r\n') + '\r\n\r\n' + body;
}
