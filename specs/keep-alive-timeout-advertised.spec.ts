/**
 * Rule keep-alive-timeout-advertised: a Node server advertises its
 * `keepAliveTimeout` as `Keep-Alive: timeout=N`, in whole seconds rounded
 * down, next to `Connection: keep-alive`. With `keepAliveTimeout: 0` it sends
 * no Keep-Alive header and keeps the connection open without a limit.
 *
 * Source: the seed's Q&A (`Keep-Alive: timeout=15, max=100`: the idle seconds
 * the server allows); RFC 9112 Appendix C.2.2 and the Keep-Alive header
 * (draft-thomson-hybi-http-timeout-03); Node docs, `server.keepAliveTimeout`.
 * Versions: the same on every Node major. A value under 1000 ms is sent as
 * `timeout=0`, which a Node ≥ 20 agent reads as "do not pool" (see
 * keep-alive-timeout-agent-hint).
 */
import { startServer } from '../helpers/server';
import { openRaw } from '../helpers/raw';
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

  it('keepAliveTimeout 0 sends no Keep-Alive header, yet still keeps the connection open', async () => {
    const srv = await startServer({ keepAliveTimeout: 0 });
    const raw = await openRaw(srv.port);
    raw.send(GET_HTTP11);
    const response = await raw.readResponse();
    raw.send(GET_HTTP11);
    await raw.readResponse();

    expect(response.headers['keep-alive']).toBeUndefined();
    expect(response.headers.connection).toEqual(['keep-alive']);
    expect(srv.connections).toHaveLength(1);
  });
});
