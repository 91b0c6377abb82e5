/**
 * Rule: a timeout given to one request applies to that request only; the
 * next request on the same connection, without a timeout, waits as long as
 * its response takes.
 * Source: axios #6113 (the first request's timeout left on the reused
 * socket); nodejs/node #53458 (a hint shortening a later request's timeout).
 * Versions: no leak on any pinned client, nor axios 1.12.0 and 1.13.1 (the issue placed a fix in 1.13.2;
 * measured with the 2 s response on Node 20.20.2).
 * Evidence: the connections the server saw (the second request must reuse
 * the first one's connection for the rule to bite) and the caller's outcome.
 * After a warm-up request (no timeout), one with a 300 ms timeout is answered
 * at once; the next has none and is answered after 2 s — longer than any
 * client takes to fire a 300 ms timeout (undici's timers tick every ~0.5 s:
 * its headersTimeout 300 fires after ~1 s; a 700 ms response hid that).
 * Counter-case: the next request with its own 300 ms timeout and the same
 * 2 s response fails — the client's timeout works at all, so a leaked one
 * would have failed the case.
 */
import { startServer } from '../helpers/server';
import type * as http from 'node:http';
import { clientRule } from './rule';
import { macrotask, plural } from './words';
import { describeError } from './contract';
import type { ClientAdapter } from './contract';

// Past the time undici's coarse timers take to fire a 300 ms timeout (probed: headersTimeout 300 fires after
// ~1.0 s, on a fresh connection too), so a leak would show for undici as well; its own 300 ms then fails it.
const SLOW_MS = 2_000;
const TIMEOUT_MS = 300;

async function leak(client: ClientAdapter, nextTimeout: number | undefined): Promise<string> {
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    req.resume();
    if (req.url === '/slow') setTimeout(() => res.end('ok'), SLOW_MS).unref();
    else res.end('ok');
  };
  const server = await startServer({ handler });
  // A first request without a timeout: the client is loaded and connected before any timer runs.
  await client.request(`${server.origin}/warm`, { method: 'GET' });
  await macrotask();
  await client.request(`${server.origin}/fast`, { method: 'GET', timeoutMs: TIMEOUT_MS });
  await macrotask();
  let outcome: string;
  try {
    const res = await client.request(`${server.origin}/slow`, { method: 'GET', timeoutMs: nextTimeout });
    outcome = `${res.status} to the caller`;
  } catch (error) {
    outcome = describeError(error);
  }
  const [, fast, slow] = server.requests;
  const reused = fast !== undefined && slow !== undefined && slow.connection === fast.connection;
  return `${outcome}, ${reused ? 'on the same connection' : `${plural(server.connections.length, 'connection')} in all`}`;
}

clientRule({
  id: 'timeout-leak',
  rule: "a short timeout on one request does not leak onto the next request on the same connection",
  cases: [
    { name: 'a 300 ms timeout on one GET, none on the next (answered after 2 s)', run: (client) => leak(client, undefined) },
    { name: 'a 300 ms timeout on one GET and on the next (answered after 2 s)', run: (client) => leak(client, TIMEOUT_MS) },
  ],
});
