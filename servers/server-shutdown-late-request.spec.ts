/**
 * Rule server-shutdown-late-request: once a server's stop has begun, a new
 * connection is no longer served, and a request arriving on a connection
 * that is still open gets whatever the server does while closing — served as
 * usual, 503 with `Connection: close` (Fastify's return503OnClosing), or no
 * response at all. Each server's answer is a finding.
 *
 * The probe: stop() is called while GET /slow?ms=2500 is in its handler (long
 * enough that the pipelined request is read before the first response ends,
 * even when a loaded machine stalls the event loop for a second); at
 * once a second request is pipelined behind it on the same connection (the
 * only connection still open: the idle ones are closed), and, a macrotask
 * later, a new connection sends a request. Counter-cases side by side in the
 * table: 200 (Node), 503 (Fastify), nothing (hapi, http-terminator).
 *
 * Source: RFC 9112 §9.6 (a client must expect a close after Connection:
 * close); fastify docs (return503OnClosing); http-terminator's source
 * (server.close() only after the drain, new sockets destroyed).
 * Versions: per server in servers/findings.json.
 */
import { measureDuringShutdown, type DuringShutdown } from './measure';
import { perServer } from './lane';
import { freshWords, outcomeWords } from './words';

interface LateFinding {
  pipelined: string;
  fresh: string;
}

describe('server-shutdown-late-request: a request arriving after stop() began gets the server\'s closing answer; a new connection is not served', () => {
  perServer<DuringShutdown, LateFinding>(
    'server-shutdown-late-request',
    async (adapter) => measureDuringShutdown(await adapter.start(), 2_500),
    (d, finding) => {
      expect({ pipelined: outcomeWords(d.pipelined), fresh: freshWords(d.fresh) }).toEqual({ pipelined: finding.pipelined, fresh: finding.fresh });
    },
    15_000,
  );
});
