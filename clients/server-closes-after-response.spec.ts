/**
 * Rule: when a server closes the connection right after a response without
 * saying `Connection: close`, a client that watches its idle connections
 * sends the next request on a new one; one that does not writes into the
 * closed connection, and then fails or resends.
 * Source: RFC 9112 §9.6 (a server that closes without `close` leaves the
 * client to find out), §9.3.1; nodejs/node #47130, undici #1415, #3492 (a
 * FIN reused within a few ticks → ECONNRESET).
 * Evidence: the server answers the first request and closes the connection in
 * the same write (the response and the FIN arrive together) but keeps reading,
 * then says where the next request arrived — never, on the closed connection,
 * on a new one, or on the closed one and then a new one (resent) — and how
 * many connections it accepted; the caller's outcome of the next request.
 * Versions (findings.json): Node's http client notices the FIN since 22.23.5,
 * 24.22.1, 26.12.1 (never 20.x); fetch() since 22.23.0, 24.17.0, 26.3.1 (its
 * undici's idle check); undici since 6.27.0, 7.28.0, 8.5.0 — a race up to 7.29.x.
 * Case and counter-case: the next request a macrotask after the response
 * (the FIN has arrived), and 50 ms after it (time to have read it).
 */
import { startServer } from '../helpers/server';
import type * as http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { clientRule } from './rule';
import { macrotask, plural } from './words';
import { describeError } from './contract';
import type { ClientAdapter } from './contract';

async function afterFin(client: ClientAdapter, wait: () => Promise<unknown>): Promise<string> {
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    req.resume();
    if (req.url === '/first') req.socket.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    else res.end('ok');
  };
  const server = await startServer({ handler });
  await client.request(`${server.origin}/first`, { method: 'GET' });
  await wait();
  let outcome: string;
  try {
    const res = await client.request(`${server.origin}/next`, { method: 'GET' });
    outcome = `${res.status} to the caller`;
  } catch (error) {
    outcome = describeError(error);
  }
  // Where the next request arrived: on the connection the server had closed (it still reads: a half-close), on a new one, or both (resent).
  const where = server.requests.filter((r) => r.url === '/next').map((r) => (r.connection === 1 ? 'on the closed connection' : 'on a new connection'));
  const seen = where.length === 0 ? 'never saw the next request' : `saw the next request ${where.join(', then ')}`;
  return `${outcome}; the server ${seen}, ${plural(server.connections.length, 'connection')} in all`;
}

clientRule({
  id: 'server-closes-after-response',
  rule: 'a server that closes right after a response, without Connection: close: does the next request succeed',
  cases: [
    { name: 'the next GET a macrotask after the response', run: (client) => afterFin(client, () => macrotask()) },
    { name: 'the next GET 50 ms after the response', run: (client) => afterFin(client, () => sleep(50)) },
  ],
});
