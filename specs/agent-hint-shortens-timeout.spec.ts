/**
 * Rule agent-hint-shortens-timeout: an agent with its own `timeout` shortens
 * a pooled socket's idle timer to the server's `Keep-Alive: timeout=N` hint
 * (see keep-alive-timeout-agent-hint) — and that shorter timer stays on the
 * socket when the agent reuses it. The next request on the socket then times
 * out after the hint's timer, not after the agent's `timeout`; a caller that
 * destroys a timed-out request (the usual handler) drops a healthy
 * connection mid-response, and the server sees it close. A socket whose
 * response carried no hint keeps the agent's timeout. A request's own
 * `timeout` option is set on the reused socket — unless it equals the
 * agent's, which leaves the hint's timer in place.
 *
 * Source: Node issue #53458 ("HTTP agent timeout overridden by previous
 * keep-alive:timeout value", open); lib/_http_agent.js (keepSocketAlive sets
 * the timer; reuseSocket leaves it; setRequestSocket sets a request's own
 * timeout only when it differs from the agent's).
 * Versions (helpers/release-gates.ts, HINT_TIMER_KEPT_ON_REUSE): since 19.0.0,
 * when the agent began to read the hint; still so on 26.12.1. Before, the hint
 * is not read and the reused socket keeps the agent's timeout. The timer's
 * length follows AGENT_HINT: N s, N s − 1 s, or N s − agentKeepAliveTimeoutBuffer.
 */
import * as http from 'node:http';
import type { Socket } from 'node:net';
import { once } from 'node:events';
import { startServer, type Handler, type ServerFixture } from '../helpers/server';
import { request } from '../helpers/client';
import { keepAliveAgent } from '../helpers/agents';
import { byRelease, holdsOn } from '../helpers/versions';
import { AGENT_HINT, HINT_TIMER_KEPT_ON_REUSE } from '../helpers/release-gates';
import { within, emitsWithin, nextTick, TIMER_EARLY_MS } from '../helpers/wait';

const AGENT_TIMEOUT = 10_000;

/** The shortest hint-made timer the running release allows: 200 ms with the agent option, else 1 s. */
function shortestHint(): { hint: string; agentOptions: http.AgentOptions; timerMs: number } {
  if (holdsOn(AGENT_HINT.bufferOption)) return { hint: 'timeout=1', agentOptions: { agentKeepAliveTimeoutBuffer: 800 } as http.AgentOptions, timerMs: 200 };
  if (holdsOn(AGENT_HINT.buffered)) return { hint: 'timeout=2', agentOptions: {}, timerMs: 1_000 };
  return { hint: 'timeout=1', agentOptions: {}, timerMs: 1_000 }; // read exactly (or, before 19.0.0, not at all)
}

/** Answers the first request on a connection (with `hint` as its Keep-Alive header, if given); holds every later one. */
function firstAnsweredThenHeld(hint: string | undefined): Handler {
  const served = new WeakSet<object>();
  return (req, res) => {
    req.resume();
    if (served.has(req.socket)) return; // held until the test ends
    served.add(req.socket);
    if (hint) res.setHeader('Keep-Alive', hint);
    res.end('first');
  };
}

/**
 * A request on the socket pooled after the first response; on 'timeout' it is
 * destroyed, as callers do. Resolves once the server has it.
 */
async function reusedRequest(srv: ServerFixture, agent: http.Agent, options: http.RequestOptions = {}) {
  const req = http.get({ host: '127.0.0.1', port: srv.port, agent, path: '/second', ...options });
  req.on('error', () => undefined); // the destroy below: socket hang up
  let timedOutAt: number | undefined;
  req.on('timeout', () => {
    timedOutAt = performance.now();
    req.destroy();
  });
  const [socket] = (await within(1_000, "'socket'", once(req, 'socket'))) as [Socket];
  const sentAt = performance.now();
  await within(1_000, 'server receiving the second request', new Promise<void>((resolve) => {
    const check = () => srv.requests.length >= 2 && (srv.server.off('request', check), resolve());
    srv.server.on('request', check);
    check();
  }));
  return { req, socket, reused: req.reusedSocket, timer: socket.timeout, sentAt, timedOutAt: () => timedOutAt };
}

/** A hinted server and one that sends no hint, each with one pooled socket in `agent`. */
async function pooledAfterHintAndNoHint(hint: string, agentOptions: http.AgentOptions = {}) {
  const hinted = await startServer({ handler: firstAnsweredThenHeld(hint) });
  const plain = await startServer({ handler: firstAnsweredThenHeld(undefined), keepAliveTimeout: 0 });
  const agent = keepAliveAgent({ timeout: AGENT_TIMEOUT, ...agentOptions });
  await Promise.all([request(hinted, { agent, path: '/first' }), request(plain, { agent, path: '/first' })]);
  await nextTick();
  return { hinted, plain, agent };
}

describe("an earlier Keep-Alive hint shortens the next request's timeout on the reused socket", () => {
  byRelease([
    {
      on: HINT_TIMER_KEPT_ON_REUSE.yes,
      title: "the request on the reused socket times out after the hint's timer, not the agent's 10 s; destroyed, the server sees its connection close mid-response, while the unhinted neighbour's stays open",
      test: async () => {
        const { hint, agentOptions, timerMs } = shortestHint();
        const { hinted, plain, agent } = await pooledAfterHintAndNoHint(hint, agentOptions);
        const [short, normal] = await Promise.all([reusedRequest(hinted, agent), reusedRequest(plain, agent)]);
        // The bound only guards against a hang: half the agent's timeout, so a close within it cannot be the agent's.
        const closedAt = await within(AGENT_TIMEOUT / 2, 'server seeing the reused connection close', hinted.closed(1));

        expect([short.reused, normal.reused]).toEqual([true, true]);
        expect([short.timer, normal.timer]).toEqual([timerMs, AGENT_TIMEOUT]);
        expect(short.timedOutAt()).toBeDefined();
        expect(closedAt - short.sentAt).toBeGreaterThanOrEqual(timerMs - TIMER_EARLY_MS);
        expect(hinted.requests.map((r) => `${r.url} on ${r.connection}`)).toEqual(['/first on 1', '/second on 1']);
        expect(normal.timedOutAt()).toBeUndefined();
        expect(plain.connections[0]!.destroyed).toBe(false);
      },
    },
    {
      on: HINT_TIMER_KEPT_ON_REUSE.no,
      title: "the hint is not read: the request on the reused socket keeps the agent's 10 s and does not time out after the hint",
      test: async () => {
        const { hint, timerMs } = shortestHint();
        const { hinted, agent } = await pooledAfterHintAndNoHint(hint);
        const reused = await reusedRequest(hinted, agent);

        expect([reused.reused, reused.timer]).toEqual([true, AGENT_TIMEOUT]);
        expect(await emitsWithin(reused.req, 'timeout', timerMs + 2 * TIMER_EARLY_MS)).toBe(false);
        expect(hinted.connections[0]!.destroyed).toBe(false);
      },
    },
  ]);

  it("counter-case: a socket whose response carried no hint is reused with the agent's timeout", async () => {
    const plain = await startServer({ handler: firstAnsweredThenHeld(undefined), keepAliveTimeout: 0 });
    const agent = keepAliveAgent({ timeout: AGENT_TIMEOUT });
    await request(plain, { agent, path: '/first' });
    await nextTick();
    const reused = await reusedRequest(plain, agent);

    expect([reused.reused, reused.timer]).toEqual([true, AGENT_TIMEOUT]);
  });

  byRelease([
    {
      on: HINT_TIMER_KEPT_ON_REUSE.yes,
      title: "a request's own timeout is set on the reused socket (the workaround) — but one equal to the agent's leaves the hint's timer",
      test: async () => {
        const { hint, agentOptions, timerMs } = shortestHint();
        const own = await pooledAfterHintAndNoHint(hint, agentOptions);
        const equal = await pooledAfterHintAndNoHint(hint, agentOptions);
        const withOwn = await reusedRequest(own.hinted, own.agent, { timeout: 5_000 });
        const withEqual = await reusedRequest(equal.hinted, equal.agent, { timeout: AGENT_TIMEOUT });

        expect([withOwn.reused, withOwn.timer]).toEqual([true, 5_000]);
        expect([withEqual.reused, withEqual.timer]).toEqual([true, timerMs]);
      },
    },
    {
      on: HINT_TIMER_KEPT_ON_REUSE.no,
      title: "a request's own timeout is set on the reused socket; one equal to the agent's leaves the agent's",
      test: async () => {
        const { hint } = shortestHint();
        const own = await pooledAfterHintAndNoHint(hint);
        const equal = await pooledAfterHintAndNoHint(hint);
        const withOwn = await reusedRequest(own.hinted, own.agent, { timeout: 5_000 });
        const withEqual = await reusedRequest(equal.hinted, equal.agent, { timeout: AGENT_TIMEOUT });

        expect([withOwn.reused, withOwn.timer]).toEqual([true, 5_000]);
        expect([withEqual.reused, withEqual.timer]).toEqual([true, AGENT_TIMEOUT]);
      },
    },
  ]);
});
