/**
 * Rule tls-handshake-saved: keep-alive saves the TLS handshake as well as
 * TCP's: three requests through one keep-alive https agent cost one TCP
 * connection and one full TLS handshake. Without keep-alive each request
 * pays a new TCP connection and a new TLS handshake — which Node's https
 * agent shortens by TLS session resumption (a separate mechanism: it caches
 * the session, `maxCachedSessions`, default 100); without that cache every
 * handshake is full.
 *
 * Source: the seed ("without keep-alive every request pays a TCP (and TLS)
 * handshake"); RFC 8446 §2.2 (resumption); Node docs, `https.Agent`
 * (`maxCachedSessions`), `tlsSocket.isSessionReused()`.
 * Versions: the same on every release from 18.14.0 to 26.10.0 (TLS 1.3 everywhere).
 */
import * as https from 'node:https';
import { startServer, type ServerFixture } from '../helpers/server';
import { request, serially } from '../helpers/client';
import { keepAliveHttpsAgent, tracked } from '../helpers/agents';
import { serverTls, clientTls } from '../fixtures/tls';

/** Three serial HTTPS requests through `agent`. */
async function threeRequests(agent: https.Agent): Promise<ServerFixture> {
  const srv = await startServer({ tls: serverTls });
  await serially(3, () => request({ port: srv.port, protocol: 'https:' }, { agent, tls: clientTls }));
  return srv;
}

describe('keep-alive saves the TLS handshake too', () => {
  it('three requests through one keep-alive https agent: one TCP connection, one full TLS handshake', async () => {
    const srv = await threeRequests(keepAliveHttpsAgent());

    expect(srv.connections).toHaveLength(1);
    expect(srv.tlsHandshakes).toEqual([{ resumed: false, protocol: 'TLSv1.3' }]);
    expect(srv.requests.map((r) => r.connection)).toEqual([1, 1, 1]);
  });

  it('without keep-alive: three TCP connections and three TLS handshakes, two of them resumed from the session cache', async () => {
    const srv = await threeRequests(tracked(new https.Agent({ keepAlive: false })));

    expect(srv.connections).toHaveLength(3);
    expect(srv.tlsHandshakes.map((h) => h.resumed)).toEqual([false, true, true]);
  });

  it('without keep-alive and without a session cache (maxCachedSessions: 0): three full TLS handshakes', async () => {
    const srv = await threeRequests(tracked(new https.Agent({ keepAlive: false, maxCachedSessions: 0 })));

    expect(srv.connections).toHaveLength(3);
    expect(srv.tlsHandshakes.map((h) => h.resumed)).toEqual([false, false, false]);
  });
});
