/**
 * Rule: `Connection: close` on a response ends that connection; the client
 * sends its next request on a new one, and the caller sees no error.
 * Source: RFC 9112 §9.6 ("a client that receives a close connection option
 * MUST cease sending requests on that connection"); Node docs.
 * Versions: the same for every pinned client on Node 20.20.2 and 26.12.1.
 * Evidence: the connection each request arrived on, the caller's outcome.
 * The server sends the `Connection: close` response and its FIN together but
 * keeps reading (a half-close, as a server's TCP stack allows), so a client
 * that ignored the header is seen sending its next request on the closed
 * connection — not hidden behind a reset and a retry on a new one.
 * The next request goes out as soon as the first resolved: the header itself,
 * not time, tells the client.
 * Counter-case: the same two requests without the header share a connection
 * (for a client that reuses at all).
 */
import { startServer } from '../helpers/server';
import type { ServerFixture } from '../helpers/server';
import type * as http from 'node:http';
import { clientRule } from './rule';
import { plural } from './words';
import { describeError } from './contract';
import type { ClientAdapter } from './contract';

const NORMATIVE = {
  anchor: 'RFC 9112 §9.6',
  requirement: 'a client that receives Connection: close must not send further requests on that connection',
  meets: (finding: string) => finding.startsWith('2 connections'),
};

const CLOSE_RESPONSE = 'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok';

async function twoRequests(client: ClientAdapter, close: boolean): Promise<string> {
  let server: ServerFixture;
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    req.resume();
    if (close && req.url === '/first') req.socket.end(CLOSE_RESPONSE);
    // Seen (the fixture recorded it), then cut: the server cannot answer on a connection it has closed.
    else if (close && req.socket === server.connections[0]) req.socket.destroy();
    else res.end('ok');
  };
  server = await startServer({ handler });
  await client.request(`${server.origin}/first`, { method: 'GET' });
  let outcome: string;
  try {
    const res = await client.request(`${server.origin}/next`, { method: 'GET' });
    outcome = `${res.status} to the caller`;
  } catch (error) {
    outcome = describeError(error);
  }
  const onClosed = server.requests.filter((r) => r.url === '/next' && r.connection === 1).length;
  const ignored = close && onClosed > 0 ? `sent the next request on the closed connection ${onClosed === 1 ? 'once' : plural(onClosed, 'time')}; ` : '';
  return `${ignored}${plural(server.connections.length, 'connection')}, ${outcome}`;
}

clientRule({
  id: 'connection-close',
  rule: 'Connection: close from the server is honoured with no error',
  cases: [
    { name: 'the first response says Connection: close', normative: NORMATIVE, run: (client) => twoRequests(client, true) },
    { name: 'the first response says nothing', run: (client) => twoRequests(client, false) },
  ],
});
