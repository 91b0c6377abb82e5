/**
 * Rule server-slow-second-request: on a kept-alive connection, a second
 * request whose head stalls is governed by the server's idle timer, not by
 * headersTimeout: every chunk of the head restarts the timer (keepAliveTimeout
 * + buffer), and a pause longer than that ends the connection with a FIN and
 * no response (no 408); a head completed in time is answered.
 * headersTimeout (60 s) and requestTimeout (300 s; 0 = none) are longer than
 * any wait here: they are recorded as the server object's settings, and not
 * claimed as measured.
 *
 * The probe: one request, its response read; at once the second request's
 * first line; the rest of its head after a pause just past the 5 s servers'
 * idle deadline; the close is timed from that first line, and whatever bytes
 * came before it are read (a 408 would be seen). Counter-cases: the same
 * second request with a 300 ms pause is answered by a Node server; a Node
 * server whose headersTimeout is checked in time (connectionsCheckingInterval
 * 200 ms, headersTimeout 1 s) answers the stalled head 408 before its idle
 * deadline.
 *
 * Source: Node docs, server.keepAliveTimeout, server.headersTimeout,
 * server.requestTimeout; measured (a probe on 20.20.2 and 26.12.1: chunks
 * sent 1.5 s and 2.5 s after a response, keepAliveTimeout 2 s, were cut 2 s
 * + the release's buffer after the last one); fastify docs (requestTimeout 0).
 * Versions: measured on Node 20.20.2 and 26.12.1; per framework in
 * servers/findings.json.
 */
import { startServer } from '../helpers/server';
import { TIMER_EARLY_MS, TIMER_LATE_MS } from '../helpers/wait';
import { measureSlowSecond, type SlowSecond } from './measure';
import { DEFAULT_DEADLINE_MS, bufferMs, perServer } from './lane';

/** The pause inside the second head: past the 5 s servers' deadline by the late allowance. */
const GAP_MS = DEFAULT_DEADLINE_MS + TIMER_LATE_MS;

interface SlowFinding {
  outcome: 'cut at the idle deadline' | 'answered' | string;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs?: number;
}

describe('server-slow-second-request: a kept-alive connection whose next request head pauses longer than the idle timeout is closed without a response', () => {
  const settings = new Map<string, { headersTimeout: number; requestTimeout: number; deadline: number }>();
  perServer<SlowSecond, SlowFinding>(
    'server-slow-second-request',
    async (adapter) => {
      const running = await adapter.start();
      const s = running.server;
      settings.set(adapter.id, { headersTimeout: s.headersTimeout, requestTimeout: s.requestTimeout, deadline: s.keepAliveTimeout + bufferMs(s) });
      return measureSlowSecond(running.port, '/fast', GAP_MS);
    },
    (slow, finding, adapter) => {
      const set = settings.get(adapter.id)!;
      expect({ headersTimeoutMs: set.headersTimeout, requestTimeoutMs: set.requestTimeout }).toEqual({
        headersTimeoutMs: finding.headersTimeoutMs,
        requestTimeoutMs: finding.requestTimeoutMs,
      });
      // A response before the head was complete (a 408) is its own outcome: "no 408" is part of the finding.
      const outcome = slow.early ? (slow.status === undefined ? 'cut at the idle deadline' : `answered ${slow.status} before the head was complete`) : 'answered';
      expect(outcome).toBe(finding.outcome);
      if (finding.outcome === 'answered') {
        expect(slow.status).toBe(200);
        expect(slow.closedAfterMs).toBeUndefined();
      } else {
        expect(slow.how).toBe('FIN');
        expect(slow.closedAfterMs).toBeGreaterThanOrEqual(set.deadline - TIMER_EARLY_MS);
        expect(slow.closedAfterMs).toBeLessThan(set.deadline + TIMER_LATE_MS);
      }
    },
    GAP_MS + 10_000,
  );

  it('counter-case: the same second request with its head completed 300 ms later is answered on the same connection (Node server)', async () => {
    const srv = await startServer();
    const slow = await measureSlowSecond(srv.port, '/', 300);

    expect(slow.status).toBe(200);
    expect(slow.closedAfterMs).toBeUndefined();
    expect(srv.connections).toHaveLength(1);
    expect(srv.requests).toHaveLength(2);
  });

  it('counter-case: a server whose headersTimeout is checked in time (1 s, every 200 ms) answers the stalled head 408 before the idle deadline — the measurement reads the bytes, not only the close', async () => {
    const srv = await startServer({ connectionsCheckingInterval: 200, headersTimeout: 1_000, requestTimeout: 2_000 });
    const slow = await measureSlowSecond(srv.port, '/', 4_000);

    expect({ early: slow.early, status: slow.status, how: slow.how }).toEqual({ early: true, status: 408, how: 'FIN' });
    expect(slow.closedAfterMs).toBeLessThan(1_000 + 200 + TIMER_LATE_MS);
    expect(srv.requests).toHaveLength(1);
  });
});
