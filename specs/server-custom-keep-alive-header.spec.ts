/**
 * Rule server-custom-keep-alive-header: a `Keep-Alive` header the handler
 * sets is sent as it is, once, instead of the one the server generates from
 * keepAliveTimeout (and maxRequestsPerSocket: no `max=` is added to it). The
 * header is only words: the server's own idle timer keeps to
 * `server.keepAliveTimeout` (+ buffer, helpers/node-server.ts), whatever
 * timeout the header promised (measured with a longer one; with
 * keepAliveTimeout 0 a header promising timeout=1 leaves the connection open
 * indefinitely, also measured, not stated here: it would cost a 1 s wait).
 *
 * Source: Node's test-http-keep-alive-timeout-custom.js (the header is sent);
 * lib/_http_outgoing.js (a handler's Keep-Alive turns off the generated one)
 * and lib/_http_server.js (resOnFinish arms socket.setTimeout from
 * server.keepAliveTimeout only); RFC 9112 Appendix C.2.2 (Keep-Alive);
 * measured.
 * Versions: the same on every release probed from 18.14.0 to 26.12.1; only
 * the idle window's length differs by release (SERVER_IDLE_CLOSE).
 */
import { startServer, respondWithHeader } from '../helpers/server';
import { openRaw } from '../helpers/raw';
import { TIMER_EARLY_MS, TIMER_LATE_MS } from '../helpers/wait';
import { idleCloseMs, shortIdle } from '../helpers/node-server';
import { GET_HTTP11 } from '../fixtures/messages';

/** The Keep-Alive lines of a response head, exactly as sent. */
const keepAliveLines = (head: string) => head.split('\r\n').filter((line) => /^keep-alive:/i.test(line));

/** One GET on a fresh raw connection to `port`: the response head. */
async function headOfOne(port: number): Promise<string> {
  const raw = await openRaw(port);
  raw.send(GET_HTTP11);
  return (await raw.readResponse()).head;
}

describe("a Keep-Alive header set by the handler replaces the server's own", () => {
  it('the handler\'s "Keep-Alive: timeout=60" is sent once, as it is; the generated "timeout=5" is not', async () => {
    const [custom, plain] = await Promise.all([
      startServer({ handler: respondWithHeader('Keep-Alive', 'timeout=60') }),
      startServer({ handler: respondWithHeader('X-Other', 'yes') }),
    ]);
    const [customHead, plainHead] = await Promise.all([headOfOne(custom.port), headOfOne(plain.port)]);

    expect(keepAliveLines(customHead)).toEqual(['Keep-Alive: timeout=60']);
    expect(customHead).toContain('\r\nConnection: keep-alive'); // Connection is still generated
    // The counter-case: without the handler's header the server generates its own.
    expect(keepAliveLines(plainHead)).toEqual(['Keep-Alive: timeout=5']);
  });

  it('with maxRequestsPerSocket set, the handler\'s header gets no "max=" added; the generated one has it', async () => {
    const [custom, plain] = await Promise.all([
      startServer({ handler: respondWithHeader('Keep-Alive', 'timeout=60') }),
      startServer({ handler: respondWithHeader('X-Other', 'yes') }),
    ]);
    custom.server.maxRequestsPerSocket = 3;
    plain.server.maxRequestsPerSocket = 3;
    const [customHead, plainHead] = await Promise.all([headOfOne(custom.port), headOfOne(plain.port)]);

    expect(keepAliveLines(customHead)).toEqual(['Keep-Alive: timeout=60']);
    expect(keepAliveLines(plainHead)).toEqual(['Keep-Alive: timeout=5, max=3']);
  });

  it("the server's idle timer ignores the header: promising timeout=5, the connection closes at the server's own window, like its neighbour's without the header", async () => {
    // Two servers with the same short window (about 200 ms; 1001 ms where the buffer is fixed),
    // one of them promising 5 s in its header.
    const [custom, plain] = await Promise.all([
      startServer({ ...shortIdle(200), handler: respondWithHeader('Keep-Alive', 'timeout=5') }),
      startServer({ ...shortIdle(200), handler: respondWithHeader('X-Other', 'yes') }),
    ]);
    const window = idleCloseMs(custom.server);
    const heads = await Promise.all([headOfOne(custom.port), headOfOne(plain.port)]);
    const [customIdle, plainIdle] = await Promise.all([custom.idleBeforeClose(1, window + 2_000), plain.idleBeforeClose(1, window + 2_000)]);

    expect(keepAliveLines(heads[0])).toEqual(['Keep-Alive: timeout=5']);
    for (const idle of [customIdle, plainIdle]) {
      expect(idle).toBeGreaterThanOrEqual(window - TIMER_EARLY_MS);
      expect(idle).toBeLessThan(window + TIMER_LATE_MS); // far from the 5 s the header promised
    }
  });
});
