/**
 * Rule https-pool-key: an https.Agent pools connections by a key that holds
 * the TLS options as well as host and port (`agent.getName()`: ca, cert,
 * key, servername, rejectUnauthorized, ciphers, …). Requests whose TLS
 * options differ never share a connection — and not a TLS session either:
 * the second connection makes a full handshake. Options outside the key
 * (headers, timeout) do not matter. A copy of the same `ca` is the same key.
 *
 * Source: Node's test-https-agent-getname.js, test-https-agent-session-reuse.js;
 * Node docs, `https.Agent` ("TLS options … are used as the key"), `agent.getName()`;
 * lib/https.js (Agent.prototype.getName).
 * Versions: the rule holds on every release from 18.14.0 to 26.12.1. Whether
 * `ca: [cert]` is the key of `ca: cert` changed (HTTPS_KEY_CA_ARRAY_IS_SAME,
 * bisected): yes, the key holds ca's text; since 22.23.5 and 24.22.3 (not yet
 * 26.x) the key types each value, and the array is another key.
 */
import type * as https from 'node:https';
import { setImmediate } from 'node:timers/promises';
import { startServer, type ServerFixture } from '../helpers/server';
import { request } from '../helpers/client';
import { keepAliveHttpsAgent } from '../helpers/agents';
import { serverTls, clientTls, CERT, KEY } from '../fixtures/tls';
import { within } from '../helpers/wait';
import { byRelease } from '../helpers/versions';
import { HTTPS_KEY_CA_ARRAY_IS_SAME } from '../helpers/release-gates';

/** Two serial HTTPS requests through one keep-alive agent: the first with clientTls, the second with `second` on top. */
async function twoRequests(second: https.RequestOptions): Promise<{ srv: ServerFixture; agent: https.Agent; reused: boolean }> {
  const srv = await startServer({ tls: serverTls });
  const agent = keepAliveHttpsAgent();
  const target = { port: srv.port, protocol: 'https:' as const };
  await request(target, { agent, tls: clientTls });
  await setImmediate();
  const result = await request(target, { agent, tls: { ...clientTls, ...second } });
  return { srv, agent, reused: result.reused };
}

describe("an https agent's pool key includes the TLS options", () => {
  it.each<[string, https.RequestOptions]>([
    ['the same TLS options', {}],
    ['other headers and a timeout (not in the key)', { headers: { 'x-other': 'yes' }, timeout: 5_000 }],
    ['a copy of the same ca', { ca: Buffer.from(CERT) }],
  ])('%s: the second request reuses the connection — one TCP connection, one TLS handshake', async (_label, second) => {
    const { srv, reused } = await twoRequests(second);

    expect(reused).toBe(true);
    expect(srv.connections).toHaveLength(1);
    expect(srv.tlsHandshakes.map((h) => h.resumed)).toEqual([false]);
  });

  byRelease([
    {
      on: HTTPS_KEY_CA_ARRAY_IS_SAME.yes,
      title: 'the same ca in an array is the same key (its text): the second request reuses the connection',
      test: async () => {
        const { srv, reused } = await twoRequests({ ca: [CERT] });

        expect(reused).toBe(true);
        expect(srv.connections).toHaveLength(1);
        expect(srv.tlsHandshakes.map((h) => h.resumed)).toEqual([false]);
      },
    },
    {
      on: HTTPS_KEY_CA_ARRAY_IS_SAME.no,
      title: 'the same ca in an array is another key (values typed in the key): a second connection with a full TLS handshake',
      test: async () => {
        const { srv, reused } = await twoRequests({ ca: [CERT] });

        expect(reused).toBe(false);
        expect(srv.connections).toHaveLength(2);
        expect(srv.tlsHandshakes.map((h) => h.resumed)).toEqual([false, false]);
      },
    },
  ]);

  it.each<[string, https.RequestOptions]>([
    ['rejectUnauthorized: false', { rejectUnauthorized: false }],
    ['another servername (LOCALHOST)', { servername: 'LOCALHOST' }],
    ['a client certificate (cert, key)', { cert: CERT, key: KEY }],
  ])('%s: another key, so a second connection with a full (not resumed) TLS handshake', async (_label, second) => {
    const { srv, agent, reused } = await twoRequests(second);

    expect(reused).toBe(false);
    expect(srv.connections).toHaveLength(2);
    expect(srv.tlsHandshakes.map((h) => h.resumed)).toEqual([false, false]);
    expect(Object.keys(agent.freeSockets)).toHaveLength(2);
  });

  it('counter-case for the session: the same key on a new connection (the server closed the first) resumes its TLS session', async () => {
    const srv = await startServer({ tls: serverTls });
    const agent = keepAliveHttpsAgent();
    const target = { port: srv.port, protocol: 'https:' as const };
    const first = await request(target, { agent, tls: clientTls });
    srv.server.closeIdleConnections();
    await within(1_000, 'client socket closing', first.closed);
    const second = await request(target, { agent, tls: clientTls });

    expect(second.reused).toBe(false);
    expect(srv.connections).toHaveLength(2);
    expect(srv.tlsHandshakes.map((h) => h.resumed)).toEqual([false, true]);
  });
});
