/**
 * Rule global-agent: requests made with no `agent` option go through
 * `http.globalAgent`. Whether two of them share a connection depends on the
 * Node major: before 19 the global agent did not keep connections alive.
 *
 * Source: the seed's first attempt (two `http.request` POSTs, no agent: two
 * ports and `Connection: close`); Node docs, `http.globalAgent` (its history
 * notes v19.0.0: the agent now uses keep-alive and a 5 s timeout by
 * default); RFC 9112 §9.6 (close option).
 * Versions (GLOBAL_AGENT_KEEPS_ALIVE, bisected: changed in 19.0.0, never
 * backported to 18.x):
 *   before 19.0.0 — `Connection: close`, one connection per request;
 *   19.0.0 on     — `Connection: keep-alive`, serial requests share one connection.
 *   `agent: false` and overlapped requests: the same on every release.
 */
import * as http from 'node:http';
import { startServer } from '../helpers/server';
import { request } from '../helpers/client';
import { defer } from '../helpers/cleanup';
import { keepsAlive } from '../helpers/agents';
import { byRelease } from '../helpers/versions';
import { GLOBAL_AGENT_KEEPS_ALIVE } from '../helpers/release-gates';
import { nextTick } from '../helpers/wait';

/** The seed's first attempt: POST, wait for the whole response, then POST again. */
async function twoSerialPosts(port: number, agent?: false) {
  const first = await request({ port }, { method: 'POST', path: '/path1', body: 'one', agent });
  await nextTick();
  const second = await request({ port }, { method: 'POST', path: '/path2', body: 'two', agent });
  return [first, second];
}

describe('requests with no agent option go through http.globalAgent', () => {
  beforeEach(() => defer(() => http.globalAgent.destroy()));

  byRelease([
    {
      on: GLOBAL_AGENT_KEEPS_ALIVE.no,
      title: 'the global agent does not keep alive: each POST says Connection: close and opens its own connection',
      test: async () => {
        const srv = await startServer();
        const [first, second] = await twoSerialPosts(srv.port);

        expect(keepsAlive(http.globalAgent)).toBe(false);
        expect(srv.requests.map((r) => r.connectionHeader)).toEqual(['close', 'close']);
        expect(srv.distinctPeerPorts()).toBe(2);
        expect(srv.connections).toHaveLength(2);
        expect(first!.headers.connection).toBe('close');
        expect(second!.reused).toBe(false);
      },
    },
    {
      on: GLOBAL_AGENT_KEEPS_ALIVE.yes,
      title: 'the global agent keeps alive: serial POSTs say Connection: keep-alive and share one connection',
      test: async () => {
        const srv = await startServer();
        const [first, second] = await twoSerialPosts(srv.port);

        expect(keepsAlive(http.globalAgent)).toBe(true);
        expect(srv.requests.map((r) => r.connectionHeader)).toEqual(['keep-alive', 'keep-alive']);
        expect(srv.distinctPeerPorts()).toBe(1);
        expect(srv.connections).toHaveLength(1);
        expect(first!.headers.connection).toBe('keep-alive');
        expect(second!.reused).toBe(true);
      },
    },
  ]);


  it('agent: false gives each request a one-shot agent: Connection: close and a new connection every time', async () => {
    const srv = await startServer();
    const [first, second] = await twoSerialPosts(srv.port, false);

    expect(srv.requests.map((r) => r.connectionHeader)).toEqual(['close', 'close']);
    expect(srv.distinctPeerPorts()).toBe(2);
    expect(srv.connections).toHaveLength(2);
    expect(first!.headers.connection).toBe('close');
    expect(second!.reused).toBe(false);
  });

  it('two POSTs sent at once through the global agent use two connections', async () => {
    const srv = await startServer();
    await Promise.all([
      request({ port: srv.port }, { method: 'POST', body: 'one' }),
      request({ port: srv.port }, { method: 'POST', body: 'two' }),
    ]);

    expect(srv.distinctPeerPorts()).toBe(2);
    expect(srv.connections).toHaveLength(2);
  });
});
