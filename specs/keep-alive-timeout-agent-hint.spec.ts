/**
 * Rule keep-alive-timeout-agent-hint: what a Node agent does with the
 * server's `Keep-Alive: timeout=N` hint. The seed's agent — keepAlive, no
 * `timeout` of its own — never arms an idle timer from the hint; the only
 * rule that reaches it is that, since the 1 s safety buffer, a hint of 1 s or
 * less means "do not pool". An agent with its own `timeout` gets it
 * shortened to the hint (minus the buffer), and closes the pooled socket when
 * that timer fires, before the server would.
 *
 * Source: the seed's Q&A (`Keep-Alive: timeout=15`); Node docs, `http.Agent`
 * (`agentKeepAliveTimeoutBuffer`); Node's test-http-keep-alive-timeout-custom.js,
 * test-http-agent-keep-alive-timeout-buffer.js; lib/_http_agent.js
 * (keepSocketAlive). Only `timeout=` at the very start of the header is read
 * (see malformed-keep-alive-hints).
 * Versions (helpers/release-gates.ts, AGENT_HINT, each found by bisect):
 *   ignored       before 19.0.0: the hint is not read;
 *   exact         19.0.0 – 20.17.0, 21.x, 22.0.0 – 22.8.0: timer = N s;
 *   buffered      20.18.0 – 20.x, 22.9.0 – 22.19.0, 23.x, 24.0.0 – 24.6.0: N s − 1 s,
 *                 and N ≤ 1 means not pooled;
 *   bufferOption  22.20.0+, 24.7.0+: the 1 s is the option agentKeepAliveTimeoutBuffer,
 *                 one release after the server's keepAliveTimeoutBuffer.
 */
import * as http from 'node:http';
import { startServer, respondWithHeader, type ServerFixture } from '../helpers/server';
import { request } from '../helpers/client';
import { keepAliveAgent, pooledSockets, isPooled } from '../helpers/agents';
import { byRelease } from '../helpers/versions';
import { AGENT_HINT } from '../helpers/release-gates';
import { within, emitsWithin, nextTick, TIMER_EARLY_MS, TIMER_LATE_MS } from '../helpers/wait';

const EARLY = TIMER_EARLY_MS;
const LATE = TIMER_LATE_MS;

/** A server whose handler sends its own Keep-Alive hint, as in Node's test-http-keep-alive-timeout-custom. */
const serverHinting = (hint: string): Promise<ServerFixture> => startServer({ handler: respondWithHeader('Keep-Alive', hint) });

/** One request through `agent`, then the 'free' tick: was the socket pooled, and with what idle timer? */
async function afterOneResponse(srv: ServerFixture, agent: http.Agent) {
  const result = await request(srv, { agent });
  await nextTick();
  return { result, pooled: isPooled(agent, result.socket), timer: result.socket.timeout ?? 0 };
}

/** The agent option, where the running release has it (a feature check). */
const bufferOf = (agent: http.Agent) => (agent as http.Agent & { agentKeepAliveTimeoutBuffer?: number }).agentKeepAliveTimeoutBuffer;

describe("what a Node agent does with the server's Keep-Alive: timeout hint", () => {
  describe("the seed's agent: keepAlive, no timeout of its own", () => {
    byRelease([
      {
        on: AGENT_HINT.withoutBuffer,
        title: 'after "timeout=1" the socket is pooled and the next request reuses it',
        test: async () => {
          const srv = await serverHinting('timeout=1');
          const agent = keepAliveAgent();
          const { pooled } = await afterOneResponse(srv, agent);
          const second = await request(srv, { agent });

          expect(pooled).toBe(true);
          expect(second.reused).toBe(true);
          expect(srv.requests.map((r) => r.connection)).toEqual([1, 1]);
        },
      },
      {
        on: AGENT_HINT.withBuffer,
        title: 'after "timeout=1" (no more than the 1 s safety buffer) the agent closes the socket instead of pooling it; the next request connects anew',
        test: async () => {
          const srv = await serverHinting('timeout=1');
          const agent = keepAliveAgent();
          const { pooled } = await afterOneResponse(srv, agent);
          await within(1_000, 'client closing the connection', srv.closed(1));
          const second = await request(srv, { agent });

          expect(pooled).toBe(false);
          expect(second.reused).toBe(false);
          expect(srv.requests.map((r) => r.connection)).toEqual([1, 2]);
        },
      },
    ]);

    it('after "timeout=2" the socket is pooled with no idle timer at all, and reused', async () => {
      const srv = await serverHinting('timeout=2');
      const agent = keepAliveAgent();
      const { pooled, timer } = await afterOneResponse(srv, agent);
      const second = await request(srv, { agent });

      expect(pooled).toBe(true);
      expect(timer).toBe(0); // no timer: the hint would only ever shorten one
      expect(second.reused).toBe(true);
      expect(srv.requests.map((r) => r.connection)).toEqual([1, 1]);
    });
  });

  describe('an agent with timeout: 10000', () => {
    /** The idle timers after "timeout=3" and after "timeout=30". */
    const timersAfter = async () => {
      const [short, long] = await Promise.all([serverHinting('timeout=3'), serverHinting('timeout=30')]);
      const agent = keepAliveAgent({ timeout: 10_000 });
      const a = await afterOneResponse(short, agent);
      const b = await afterOneResponse(long, agent);
      expect([a.pooled, b.pooled]).toEqual([true, true]);
      return [a.timer, b.timer];
    };
    byRelease([
      {
        on: AGENT_HINT.ignored,
        title: 'the hint does not change its timer: 10 s after "timeout=3" and after "timeout=30"',
        test: async () => expect(await timersAfter()).toEqual([10_000, 10_000]),
      },
      {
        on: AGENT_HINT.exact,
        title: 'the hint shortens its timer to the hint itself: 3 s after "timeout=3"; "timeout=30" leaves 10 s',
        test: async () => expect(await timersAfter()).toEqual([3_000, 10_000]),
      },
      {
        on: AGENT_HINT.withBuffer,
        title: 'the hint shortens its timer to hint − 1 s: 2 s after "timeout=3"; "timeout=30" leaves 10 s',
        test: async () => expect(await timersAfter()).toEqual([2_000, 10_000]),
      },
    ]);

    /** Timer fired: the server sees the client close; an unhinted socket beside it stays. */
    const closesAt = async (hint: string, expectedMs: number, agentOptions: http.AgentOptions = {}) => {
      const [hinted, unhinted] = await Promise.all([serverHinting(hint), startServer({ keepAliveTimeout: 0 })]);
      const agent = keepAliveAgent({ timeout: 10_000, ...agentOptions });
      const [a, b] = await Promise.all([request(hinted, { agent }), request(unhinted, { agent })]);
      // The agent's timer runs on the client: from the end of the response to the socket's close.
      const closedAt = await within(expectedMs + LATE, 'client closing the hinted socket', a.closed);
      await within(1_000, 'server seeing the hinted connection close', hinted.closed(1));

      expect(closedAt - a.endedAt!).toBeGreaterThanOrEqual(expectedMs - EARLY);
      expect(unhinted.connections[0]!.destroyed).toBe(false);
      expect(b.socket.destroyed).toBe(false);
      expect(pooledSockets(agent).free).toBe(1);
    };
    byRelease([
      {
        on: AGENT_HINT.ignored,
        title: 'no timer comes from the hint: after "timeout=1" the pooled socket is still open 1 s later',
        test: async () => {
          const srv = await serverHinting('timeout=1');
          const agent = keepAliveAgent({ timeout: 10_000 });
          const { result } = await afterOneResponse(srv, agent);

          expect(await emitsWithin(result.socket, 'close', 1_000 + 2 * EARLY)).toBe(false);
          expect(pooledSockets(agent).free).toBe(1);
        },
      },
      {
        on: AGENT_HINT.exact,
        title: 'after "timeout=1" it closes the pooled socket 1 s after the response, seen by the server',
        test: () => closesAt('timeout=1', 1_000),
      },
      {
        on: AGENT_HINT.buffered,
        title: 'after "timeout=2" it closes the pooled socket 2 s − 1 s after the response, seen by the server',
        test: () => closesAt('timeout=2', 1_000),
      },
      {
        on: AGENT_HINT.bufferOption,
        title: 'after "timeout=2" with agentKeepAliveTimeoutBuffer: 1800 it closes the pooled socket 200 ms after the response, seen by the server',
        test: () => closesAt('timeout=2', 200, { agentKeepAliveTimeoutBuffer: 1_800 } as http.AgentOptions),
      },
    ]);

    byRelease([
      {
        on: AGENT_HINT.bufferOption,
        title: 'agentKeepAliveTimeoutBuffer: 500 makes "timeout=1" long enough to pool, with a 500 ms timer',
        test: async () => {
          const srv = await serverHinting('timeout=1');
          const agent = keepAliveAgent({ timeout: 10_000, agentKeepAliveTimeoutBuffer: 500 } as http.AgentOptions);
          const { pooled, timer } = await afterOneResponse(srv, agent);
          const second = await request(srv, { agent });

          expect(bufferOf(agent)).toBe(500);
          expect([pooled, timer]).toEqual([true, 500]);
          expect(second.reused).toBe(true);
        },
      },
      {
        on: AGENT_HINT.buffered,
        title: 'agentKeepAliveTimeoutBuffer is not an option yet: with it set to 500, "timeout=1" is still not pooled',
        test: async () => {
          const srv = await serverHinting('timeout=1');
          const agent = keepAliveAgent({ timeout: 10_000, agentKeepAliveTimeoutBuffer: 500 } as http.AgentOptions);
          const { pooled } = await afterOneResponse(srv, agent);

          expect(bufferOf(agent)).toBeUndefined();
          expect(pooled).toBe(false);
        },
      },
      {
        on: AGENT_HINT.withoutBuffer,
        title: 'agentKeepAliveTimeoutBuffer is not an option yet: with it set to 500, "timeout=1" pools as it always does here',
        test: async () => {
          const srv = await serverHinting('timeout=1');
          const agent = keepAliveAgent({ timeout: 10_000, agentKeepAliveTimeoutBuffer: 500 } as http.AgentOptions);
          const { pooled, timer } = await afterOneResponse(srv, agent);

          expect(bufferOf(agent)).toBeUndefined();
          expect(pooled).toBe(true);
          expect(timer).not.toBe(500);
        },
      },
    ]);
  });
});
