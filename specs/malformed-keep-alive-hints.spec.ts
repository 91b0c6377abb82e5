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
 * Versions (AGENT_HINT in helpers/release-gates.ts): before 19.0.0 no hint
 * is read; from 19.0.0 the timer is the hint; from 20.18.0 / 22.9.0 the hint
 * less a 1 s buffer, and a hint of 1 s or less means "do not pool".
 */
import { startServer, respondWithHeader } from '../helpers/server';
import { request } from '../helpers/client';
import { keepAliveAgent, pooledSockets } from '../helpers/agents';
import { byRelease } from '../helpers/versions';
import { AGENT_HINT } from '../helpers/release-gates';
import { nextTick } from '../helpers/wait';

/** The agent's idle timer after one response carrying `hint`, or 'not pooled'. */
type Timer = number | 'not pooled';

async function poolingAfter(hint: string | string[]): Promise<{ timer: Timer; seen: unknown }> {
  const srv = await startServer({ handler: respondWithHeader('Keep-Alive', hint) });
  const agent = keepAliveAgent({ timeout: 10_000 });
  const result = await request(srv, { agent });
  await nextTick(); // the 'free' tick
  const pooled = pooledSockets(agent).free === 1;
  return { timer: pooled ? result.socket.timeout ?? 0 : 'not pooled', seen: result.headers['keep-alive'] };
}

/** The agent's idle timer after each well-formed hint, per way of reading hints (AGENT_HINT). */
const WELL_FORMED: Array<{ hint: string | string[]; says: string; ignored: Timer; exact: Timer; buffered: Timer }> = [
  { hint: 'timeout=3', says: '"timeout=3"', ignored: 10_000, exact: 3_000, buffered: 2_000 },
  { hint: 'timeout=1', says: '"timeout=1"', ignored: 10_000, exact: 1_000, buffered: 'not pooled' },
  { hint: ['timeout=1', 'timeout=5'], says: 'two headers, "timeout=1" then "timeout=5" (joined with ", "; the first counts)', ignored: 10_000, exact: 1_000, buffered: 'not pooled' },
  { hint: ['timeout=5', 'timeout=1'], says: 'two headers, "timeout=5" then "timeout=1" (the first counts)', ignored: 10_000, exact: 5_000, buffered: 4_000 },
  { hint: 'timeout=1.5', says: 'a fractional "timeout=1.5" (read as 1)', ignored: 10_000, exact: 1_000, buffered: 'not pooled' },
];

const timerText = (t: Timer) => (t === 'not pooled' ? 'the socket is not pooled' : `the timer is ${t / 1_000} s`);

describe('how a Node agent (timeout: 10000) reads odd Keep-Alive hints', () => {
  it.each([['timeout=abc'], ['max=100, timeout=1'], ['Timeout=1'], ['timeout = 1']])(
    'the hint "%s" is ignored: the socket is pooled with the agent\'s own 10 s timer',
    async (hint) => {
      const { timer, seen } = await poolingAfter(hint);
      expect(seen).toBe(hint);
      expect(timer).toBe(10_000);
    },
  );

  describe.each(WELL_FORMED)('after $says', (row) => {
    const expectTimer = (expected: Timer) => async () => {
      const { timer, seen } = await poolingAfter(row.hint);
      expect(seen).toBe(Array.isArray(row.hint) ? row.hint.join(', ') : row.hint);
      expect(timer).toBe(expected);
    };
    byRelease([
      { on: AGENT_HINT.ignored, title: `no hint is read: ${timerText(row.ignored)}`, test: expectTimer(row.ignored) },
      { on: AGENT_HINT.exact, title: `read as it is: ${timerText(row.exact)}`, test: expectTimer(row.exact) },
      {
        on: AGENT_HINT.withBuffer,
        title: `read less the 1 s buffer: ${timerText(row.buffered)}`,
        test: expectTimer(row.buffered),
      },
    ]);
  });
});
