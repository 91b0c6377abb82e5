/**
 * Rule: a request lost on a reused connection (the server closes it without
 * answering) may be retried automatically if its method is idempotent; a
 * non-idempotent one (POST) must not be, unless the client knows it is safe.
 * Source: RFC 9112 §9.3.1 (a client does not automatically retry a request
 * with a non-idempotent method unless it knows it is safe), RFC 9110 §9.2.2
 * (which methods are idempotent: GET, HEAD, PUT, DELETE, OPTIONS, TRACE);
 * got's retry docs (GET/PUT/HEAD/DELETE/OPTIONS/TRACE after ECONNRESET);
 * Node docs `request.reusedSocket`.
 * Versions (findings.json): ky 2 wraps the error in its own NetworkError; otherwise the same on Node 20.20.2 and 26.12.1.
 * Evidence: how many times the server saw the lost request, and on which connection.
 * The loss is deterministic: helpers/server.ts `dropFirstReused` destroys the
 * first /lost request that arrives on an already used connection. A client
 * that did not reuse the connection loses nothing: "not reused, nothing lost".
 * Case and counter-case: GET (retry permitted) and POST (retry not permitted).
 */
import { startServer, dropFirstReused } from '../helpers/server';
import type { ServerFixture } from '../helpers/server';
import { clientRule } from './rule';
import { macrotask, plural, timesSeen } from './words';
import { describeError } from './contract';
import type { ClientAdapter } from './contract';

async function lose(client: ClientAdapter, method: 'GET' | 'POST'): Promise<string> {
  const server: ServerFixture = await startServer({ handler: dropFirstReused('/lost') });
  await client.request(`${server.origin}/first`, { method });
  await macrotask();
  let outcome: string;
  try {
    const res = await client.request(`${server.origin}/lost`, { method, ...(method === 'POST' ? { body: 'data', headers: { 'content-type': 'text/plain' } } : {}) });
    outcome = `${res.status} to the caller`;
  } catch (error) {
    outcome = describeError(error);
  }
  const lost = server.requests.filter((r) => r.url === '/lost');
  if (lost[0] && lost[0].connection !== server.requests[0]!.connection) return `not reused (new connection), nothing lost: ${outcome}`;
  const seen = timesSeen(server, '/lost');
  if (seen <= 1) return `not resent: ${outcome}`;
  const connections = new Set(lost.slice(1).map((r) => r.connection)).size;
  return `resent ${seen === 2 ? 'once' : plural(seen - 1, 'time')} on ${connections === 1 ? 'a new connection' : plural(connections, 'new connection')}: ${outcome}`;
}

clientRule({
  id: 'lost-request',
  rule: 'a request lost on a reused connection: resent or failed, and what the caller sees',
  cases: [
    { name: 'a GET lost on a reused connection', run: (client) => lose(client, 'GET') },
    {
      name: 'a POST lost on a reused connection',
      normative: {
        anchor: 'RFC 9110 §9.2.2, RFC 9112 §9.3.1',
        requirement: 'a client does not automatically retry a request with a non-idempotent method unless it knows that is safe',
        meets: (finding) => !finding.startsWith('resent'),
      },
      run: (client) => lose(client, 'POST'),
    },
  ],
});
