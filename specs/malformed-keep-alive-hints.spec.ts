/**
 * Rule malformed-keep-alive-hints: a Node agent reads a Keep-Alive hint only
 * when it starts with `timeout=` followed by digits (/^timeout=(\d+)/, case
 * sensitive). Anything else — `timeout=abc`, `max=100, timeout=1`,
 * `Timeout=1`, `timeout = 1` — is ignored without an error, and the socket is
 * pooled as if no hint came. Several Keep-Alive headers are joined with ", "
 * and only the first one's timeout counts. Nothing crashes, nothing throws.
 *
 * Source: the Keep-Alive header (draft-thomson-hybi-http-timeout-03: a list
 * of parameters in any order); RFC 9110 §5.6.6 (parameter names are
 * case-insensitive) and §5.3 (repeated field lines combine with commas);
 * Node's lib/_http_agent.js.
 * Where Node differs: `Timeout=1` and a timeout that is not first are real
 * hints by those rules, and Node ignores them.
 * Versions: ≤ 18 reads no hint at all; ≥ 20 as above (19 not in the matrix).
 */
import { startServer, respondWithHeader } from '../helpers/server';
import { request } from '../helpers/client';
import { keepAliveAgent, pooledSockets } from '../helpers/agents';
import { itOn } from '../helpers/versions';

/** The agent's idle timer after one response carrying `hint`, or 'not pooled'. */
async function poolingAfter(hint: string | string[]): Promise<{ timer: number | 'not pooled'; seen: unknown }> {
  const srv = await startServer({ handler: respondWithHeader('Keep-Alive', hint) });
  const agent = keepAliveAgent({ timeout: 10_000 });
  const result = await request(srv, { agent });
  await new Promise((resolve) => process.nextTick(resolve)); // the 'free' tick
  const pooled = pooledSockets(agent).free === 1;
  return { timer: pooled ? result.socket.timeout ?? 0 : 'not pooled', seen: result.headers['keep-alive'] };
}

describe('how a Node agent reads odd Keep-Alive hints', () => {
  itOn({ since: 20 }, 'the well-formed "timeout=3" shortens the 10 s agent timeout to 2 s (the reference case)', async () => {
    expect((await poolingAfter('timeout=3')).timer).toBe(2_000);
  });

  itOn({ since: 20 }, 'the well-formed "timeout=1" stops pooling (the reference case)', async () => {
    expect((await poolingAfter('timeout=1')).timer).toBe('not pooled');
  });

  it.each([['timeout=abc'], ['max=100, timeout=1'], ['Timeout=1'], ['timeout = 1']])(
    'the hint "%s" is ignored: the socket is pooled with the agent\'s own 10 s timer',
    async (hint) => {
      const { timer, seen } = await poolingAfter(hint);
      expect(seen).toBe(hint);
      expect(timer).toBe(10_000);
    },
  );

  itOn({ since: 20 }, 'two Keep-Alive headers arrive joined with ", " and only the first timeout counts', async () => {
    const shortFirst = await poolingAfter(['timeout=1', 'timeout=5']);
    const longFirst = await poolingAfter(['timeout=5', 'timeout=1']);

    expect(shortFirst.seen).toBe('timeout=1, timeout=5');
    expect(shortFirst.timer).toBe('not pooled');
    expect(longFirst.timer).toBe(4_000);
  });

  itOn({ since: 20 }, 'a fractional "timeout=1.5" is read as 1 s: not pooled', async () => {
    expect((await poolingAfter('timeout=1.5')).timer).toBe('not pooled');
  });

  itOn({ until: 18 }, 'no hint is read at all: even "timeout=1" is pooled with the agent\'s own timer', async () => {
    expect((await poolingAfter('timeout=1')).timer).toBe(10_000);
    expect((await poolingAfter(['timeout=1', 'timeout=5'])).timer).toBe(10_000);
  });
});
