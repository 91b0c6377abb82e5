/**
 * Rule: ten requests overlapped in time go out on as many connections as the
 * client allows at once (a per-origin cap queues the rest), one request at a
 * time on each — unless the client pipelines.
 * Source: RFC 9112 §9.3.2 (pipelining), §9.4 (a client SHOULD limit the
 * connections it keeps open to one server); undici docs (`connections`,
 * `pipelining`, default 1); Node docs `agent.maxSockets` (default Infinity).
 * Versions: the same for every pinned client on Node 20.20.2 and 26.12.1.
 * Evidence: the connections the server accepted, the most requests it held
 * at once, and whether a connection brought a request while an earlier one on
 * it was still unanswered (pipelined).
 * The server holds every response until it has ten requests, or until no new
 * request has come for 1.5 s (a cap: the queued ones come after).
 * Counter-case: two overlapped requests — the count follows the load.
 */
import { startServer } from '../helpers/server';
import type { ServerFixture } from '../helpers/server';
import type * as http from 'node:http';
import { clientRule } from './rule';
import { plural } from './words';
import type { ClientAdapter } from './contract';

// Waited only by a client that caps its connections (none of the pinned ones): well past the ~0.9 s
// event-loop stalls seen on this loaded machine, so an uncapped client's tenth request is never cut off.
const QUIET_MS = 1_500;

async function overlapped(client: ClientAdapter, count: number): Promise<string> {
  const held: http.ServerResponse[] = [];
  let atOnce = 0;
  let deepest = 1;
  let quiet: NodeJS.Timeout | undefined;
  const release = () => {
    clearTimeout(quiet);
    for (const res of held.splice(0)) res.end('ok');
  };
  let server: ServerFixture;
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    req.resume();
    const same = server.requests.filter((r) => r.peerPort === req.socket.remotePort && r.finishedAt === undefined).length;
    deepest = Math.max(deepest, same);
    held.push(res);
    atOnce = Math.max(atOnce, held.length);
    clearTimeout(quiet);
    if (server.requests.length >= count) release();
    else quiet = setTimeout(release, QUIET_MS).unref();
  };
  server = await startServer({ handler });
  await Promise.all(Array.from({ length: count }, (_, i) => client.request(`${server.origin}/overlapped${i + 1}`, { method: 'GET' })));
  clearTimeout(quiet);
  const pipelined = deepest > 1 ? `, pipelined up to ${deepest} deep on one connection` : ', one request at a time on each';
  return `${plural(server.connections.length, 'connection')}, ${atOnce} of ${count} requests at the server at once${pipelined}`;
}

clientRule({
  id: 'overlapped-requests',
  rule: 'overlapped requests: how many connections, and pipelined or not',
  cases: [
    { name: 'ten overlapped GETs', run: (client) => overlapped(client, 10) },
    { name: 'two overlapped GETs', run: (client) => overlapped(client, 2) },
  ],
});
