/**
 * Rule server-shutdown: a graceful shutdown ends idle kept-alive connections
 * at once and lets a request already in its handler finish; whether that
 * response says `Connection: close`, and whether the connection is then
 * closed or left to its idle timeout (which decides how long the shutdown
 * takes), is each server's finding.
 *
 * The probe: one idle kept-alive connection (one request answered) and one
 * busy one (GET /slow?ms=2500 in its handler) when the server's own stop is
 * called (adapters.ts says which: server.close(), app.close(), server.stop(),
 * terminate()). Measured from the client: when each connection ends (FIN or
 * RST), the busy response's status and Connection header, and when stop()
 * resolves. "At once" is within 1.5 s (words.ts: the loaded machine's stalls),
 * well before the 2.5 s response and the 6 s idle deadline it is told from.
 * Bound: the slow response + the 5 s servers' idle deadline + 1.5 s;
 * Fastify's 73 s was measured once by hand (servers/findings.json).
 * The counter-case is in the table: hapi and http-terminator answer the busy
 * request with Connection: close, Node's server.close() with keep-alive.
 *
 * Source: Node docs, server.close() (idle connections closed since 19.0.0);
 * fastify docs (forceCloseConnections, return503OnClosing), fastify #5524,
 * #6889, #7044; hapi API, server.stop(); the READMEs of stoppable and
 * http-terminator.
 * Versions: per server in servers/findings.json.
 */
import { measureShutdown, type Shutdown } from './measure';
import { DEFAULT_DEADLINE_MS, perServer, recordedKeepAliveTimeout, bufferMs } from './lane';
import { busyAtShutdown, idleAtShutdown, stopWords } from './words';

const SLOW_MS = 2_500;
const BOUND_MS = SLOW_MS + DEFAULT_DEADLINE_MS + 1_500;

interface ShutdownFinding {
  idle: string;
  busy: string;
  stop: string;
}

describe('server-shutdown: stop() closes idle kept-alive connections at once and lets a busy one finish its response', () => {
  const deadlines = new Map<string, number>();
  perServer<Shutdown, ShutdownFinding>(
    'server-shutdown',
    async (adapter) => {
      const running = await adapter.start();
      deadlines.set(adapter.id, recordedKeepAliveTimeout(adapter.id) + bufferMs(running.server));
      return measureShutdown(running, SLOW_MS, BOUND_MS);
    },
    (s, finding, adapter) => {
      const deadline = deadlines.get(adapter.id)!;
      expect({ idle: idleAtShutdown(s, deadline), busy: busyAtShutdown(s, deadline), stop: stopWords(s, deadline) }).toEqual({
        idle: finding.idle,
        busy: finding.busy,
        stop: finding.stop,
      });
    },
    BOUND_MS + 10_000,
  );
});
