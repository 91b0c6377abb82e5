/**
 * Rule fetch-keep-alive-hint-units: fetch() (undici) reads a Keep-Alive hint
 * as whole seconds, the digits right after `timeout=`, and ignores whatever
 * follows them: `timeout=1s` means 1 s, `timeout=3ms` 3 s and `timeout=500ms`
 * 500 s, not milliseconds; `timeout=2.5` is 2 s (and `timeout=1.5` 1 s), shown
 * on each side of the threshold that tells them apart. A hint of no more than
 * its safety threshold (1 s or 2 s, fetch-keep-alive-hint) closes the
 * connection right after the response; a longer one, or one it cannot read
 * (`timeout=abc`, `timeout = 1`), leaves it pooled, and the next fetch
 * reuses it. Which parameter counts changed: the digits after `timeout=`
 * anywhere, case-sensitively (`xtimeout=1` read, `Timeout=1` not), and since
 * undici 8.12.0 only a parameter named timeout, in any case (the reverse).
 * Unlike Node's http.Agent (malformed-keep-alive-hints), fetch reads a
 * timeout that is not the first parameter (`max=100, timeout=1`).
 *
 * Source: the Keep-Alive header (draft-thomson-hybi-http-timeout-03: timeout
 * is delta-seconds, digits only); RFC 9110 §5.6.6 (parameter names are
 * case-insensitive); undici lib/core/util.js parseKeepAliveTimeout; measured.
 * Versions (FETCH_HINT_PARSER in helpers/release-gates.ts): by parameter
 * (the decimal case by FETCH_HINT_THRESHOLD: 1 s before undici 6.14.0, 2 s since)
 * since undici 8.12.0 (Node 26.12.1); the rest the same on every release
 * probed from 18.14.0 (undici 5.14.0) to 26.12.1.
 */
import { startServer, respondWithHeader } from '../helpers/server';
import { byRelease } from '../helpers/versions';
import { FETCH_HINT_PARSER, FETCH_HINT_THRESHOLD } from '../helpers/release-gates';
import { TIMER_LATE_MS } from '../helpers/wait';
import { setImmediate } from 'node:timers/promises';

type Outcome = 'closed at once' | 'reused';

/** Two fetches a macrotask apart from a server hinting `hint`: did the second reuse the first's connection? */
async function afterHint(hint: string): Promise<Outcome> {
  const srv = await startServer({ keepAliveTimeout: 60_000, handler: respondWithHeader('Keep-Alive', hint) });
  const first = await fetch(`${srv.origin}/`);
  expect(first.headers.get('keep-alive')).toBe(hint);
  await first.text();
  await setImmediate();
  await (await fetch(`${srv.origin}/`)).text();
  const connections = srv.requests.map((r) => r.connection);
  if (connections[1] === 1) return 'reused';
  // The client, not the server (keepAliveTimeout 60 s), closed the first connection, right after its response.
  expect(await srv.idleBeforeClose(1, 2_000)).toBeLessThan(TIMER_LATE_MS);
  expect(connections).toEqual([1, 2]);
  return 'closed at once';
}

describe('how fetch() reads the number in a Keep-Alive hint', () => {
  it.each([['timeout=1s'], ['max=100, timeout=1']])(
    'the hint "%s" is read as 1 s, within the threshold: the client closes the connection at once, the next fetch connects anew',
    async (hint) => {
      expect(await afterHint(hint)).toBe('closed at once');
    },
  );

  it('the hint "timeout=3ms" is read as 3 s, not 3 ms (past the threshold): the connection is pooled and reused', async () => {
    expect(await afterHint('timeout=3ms')).toBe('reused');
  });

  it('the hint "timeout=500ms" is read as 500 s, not as half a second: the connection is pooled and reused', async () => {
    expect(await afterHint('timeout=500ms')).toBe('reused');
  });

  // A decimal shows only where the threshold lies between its whole part and its value.
  byRelease([
    {
      on: FETCH_HINT_THRESHOLD.oneSecond,
      title: 'the hint "timeout=1.5" is read as 1 s (the threshold), not 1.5 s: the client closes the connection at once',
      test: async () => expect(await afterHint('timeout=1.5')).toBe('closed at once'),
    },
    {
      on: FETCH_HINT_THRESHOLD.twoSeconds,
      title: 'the hint "timeout=2.5" is read as 2 s (the threshold), not 2.5 s: the client closes the connection at once',
      test: async () => expect(await afterHint('timeout=2.5')).toBe('closed at once'),
    },
  ]);

  it.each([['timeout=abc'], ['timeout = 1']])('the hint "%s" cannot be read: the connection is pooled as if no hint came, and reused', async (hint) => {
    expect(await afterHint(hint)).toBe('reused');
  });

  byRelease([
    {
      on: FETCH_HINT_PARSER.anywhere,
      title: 'the digits after "timeout=" count anywhere, case-sensitively: "xtimeout=1" closes the connection at once, "Timeout=1" is not read',
      test: async () => {
        expect(await afterHint('xtimeout=1')).toBe('closed at once');
        expect(await afterHint('Timeout=1')).toBe('reused');
      },
    },
    {
      on: FETCH_HINT_PARSER.byParameter,
      title: 'only a parameter named timeout counts, in any case: "Timeout=1" closes the connection at once, "xtimeout=1" is not read',
      test: async () => {
        expect(await afterHint('Timeout=1')).toBe('closed at once');
        expect(await afterHint('xtimeout=1')).toBe('reused');
      },
    },
  ]);
});
