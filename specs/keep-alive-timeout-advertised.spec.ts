/**
 * Rule keep-alive-timeout-advertised: a Node server advertises its
 * `keepAliveTimeout` as `Keep-Alive: timeout=N`, in whole seconds rounded
 * down, next to `Connection: keep-alive`. With `keepAliveTimeout: 0` it sends
 * no Keep-Alive header and does not close an idle connection on a timer.
 *
 * Source: the seed's Q&A (`Keep-Alive: timeout=15, max=100`: the idle seconds
 * the server allows); RFC 9112 Appendix C.2.2 and the Keep-Alive header
 * (draft-thomson-hybi-http-timeout-03); Node docs, `server.keepAliveTimeout`.
 * Versions: the same on every release. A value under 1000 ms is sent as
 * `timeout=0`, which an agent with the 1 s buffer (20.18.0+, 22.9.0+) reads
 * as "do not pool" (see keep-alive-timeout-agent-hint).
 */
import { startServer } from '../helpers/server';
import { openRaw } from '../helpers/raw';
import { setImmediate } from 'node:timers/promises';
import { GET_HTTP11 } from '../fixtures/messages';

describe('what a Node server advertises in Keep-Alive', () => {
  it.each([
    [5_000, 'timeout=5'],
    [65_000, 'timeout=65'],
    [1_500, 'timeout=1'],
    [999, 'timeout=0'],
  ])('keepAliveTimeout %i ms is sent as "Keep-Alive: %s" (whole seconds, rounded down)', async (keepAliveTimeout, header) => {
    const srv = await startServer({ keepAliveTimeout });
    const raw = await openRaw(srv.port);
    raw.send(GET_HTTP11);
    const response = await raw.readResponse();

    expect(response.head).toContain('\r\nConnection: keep-alive\r\n');
    expect(response.head).toContain(`\r\nKeep-Alive: ${header}\r\n`);
  });

  it('keepAliveTimeout 0 sends no Keep-Alive header, and the server arms no idle timer on the connection; a server with a timeout does', async () => {
    // Side by side: no timeout, and a 5 s one. The server-side sockets show the timer each armed.
    const [unlimited, limited] = await Promise.all([startServer({ keepAliveTimeout: 0 }), startServer({ keepAliveTimeout: 5_000 })]);
    const [a, b] = await Promise.all([openRaw(unlimited.port), openRaw(limited.port)]);
    a.send(GET_HTTP11);
    b.send(GET_HTTP11);
    const [response, limitedResponse] = await Promise.all([a.readResponse(), b.readResponse()]);
    await setImmediate(); // the server arms the idle timer once the response is finished
    // Still open, and still serving on the same connection.
    a.send(GET_HTTP11);
    await a.readResponse();

    expect(response.headers['keep-alive']).toBeUndefined();
    expect(response.headers.connection).toEqual(['keep-alive']);
    expect(limitedResponse.headers['keep-alive']).toEqual(['timeout=5']);
    expect(unlimited.requests.map((r) => r.connection)).toEqual([1, 1]);
    // Socket.timeout: 0 means no inactivity timer; the limited server armed one of at least 5 s.
    expect(unlimited.connections[0]!.timeout ?? 0).toBe(0);
    expect(limited.connections[0]!.timeout).toBeGreaterThanOrEqual(5_000);
  });
});
