/**
 * HTTP/2 over cleartext (h2c) on loopback: a server fixture that records each
 * stream's peer port and counts sessions and TCP connections, and a client
 * session that is closed after the test.
 */
import * as http2 from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import { once } from 'node:events';
import { defer } from './cleanup';

export interface Http2Fixture {
  server: http2.Http2Server;
  origin: string;
  /** Every TCP connection accepted. */
  connections: Socket[];
  /** Every HTTP/2 session (one per connection). */
  sessions: http2.ServerHttp2Session[];
  /** Peer port of each stream, in arrival order. */
  streamPeerPorts: number[];
}

/** `onStream` answers each request stream; it gets the stream and its index. */
export async function startHttp2Server(onStream: (stream: http2.ServerHttp2Stream, index: number) => void): Promise<Http2Fixture> {
  const server = http2.createServer();
  const fixture: Http2Fixture = { server, origin: '', connections: [], sessions: [], streamPeerPorts: [] };
  server.on('connection', (socket: Socket) => fixture.connections.push(socket));
  server.on('session', (session: http2.ServerHttp2Session) => fixture.sessions.push(session));
  server.on('stream', (stream: http2.ServerHttp2Stream) => {
    fixture.streamPeerPorts.push(stream.session?.socket.remotePort ?? -1);
    onStream(stream, fixture.streamPeerPorts.length - 1);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  fixture.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  defer(async () => {
    for (const session of fixture.sessions) session.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return fixture;
}

/** A client session to `origin`, destroyed after the test. */
export async function connectHttp2(origin: string): Promise<http2.ClientHttp2Session> {
  const session = http2.connect(origin);
  defer(() => session.destroy());
  await once(session, 'connect');
  return session;
}

/** GET `path` on `session`; resolves with the body text. */
export function http2Get(session: http2.ClientHttp2Session, path = '/'): Promise<string> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':path': path });
    let body = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => (body += chunk));
    stream.on('end', () => resolve(body));
    stream.on('error', reject);
    stream.end();
  });
}
