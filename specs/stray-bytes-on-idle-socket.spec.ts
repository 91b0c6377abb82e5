/**
 * Rule stray-bytes-on-idle-socket: bytes that arrive on a pooled socket while
 * no request is outstanding cannot belong to any response. On the newest
 * releases the agent closes such a socket and the next request opens a new
 * connection; before, the bytes were dropped silently and the socket stayed
 * pooled and was reused.
 *
 * Source: RFC 9112 §9.3.2 (responses are matched to requests only by their
 * order, so bytes with no request outstanding match none); measured.
 * No crash and no unhandled error on any release.
 * Versions (STRAY_BYTES_CLOSE_IDLE_SOCKET, bisected): the socket is closed
 * since 22.23.0, 24.17.0 and 26.3.1; never on 18.x – 21.x, 23.x or 25.x.
 */
import type { Socket } from 'node:net';
import { request } from '../helpers/client';
import { keepAliveAgent, pooledSockets } from '../helpers/agents';
import { onRequestHeads, rawResponse, startRawServer } from '../helpers/raw';
import { byRelease } from '../helpers/versions';
import { STRAY_BYTES_CLOSE_IDLE_SOCKET } from '../helpers/release-gates';
import { emitsWithin, within } from '../helpers/wait';

/** A raw server that answers every request; `idle[n]` is its n-th connection. */
async function answeringServer() {
  const idle: Socket[] = [];
  const srv = await startRawServer((socket) => {
    idle.push(socket);
    onRequestHeads(socket, () => socket.write(rawResponse('ok')));
  });
  return { srv, idle };
}

describe('bytes that arrive on an idle pooled socket', () => {
  byRelease([
    {
      on: STRAY_BYTES_CLOSE_IDLE_SOCKET.yes,
      title: 'make the agent close the socket; the next request opens a new connection',
      test: async () => {
        const { srv, idle } = await answeringServer();
        const agent = keepAliveAgent();
        const first = await request({ port: srv.port }, { agent });
        idle[0]!.write('HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nunasked');
        await within(1_000, 'agent closing the socket', first.closed);
        const second = await request({ port: srv.port }, { agent });

        expect(second.reused).toBe(false);
        expect(second.body).toBe('ok');
        expect(srv.connections).toHaveLength(2);
      },
    },
    {
      on: STRAY_BYTES_CLOSE_IDLE_SOCKET.no,
      title: 'are dropped silently; the socket stays pooled and the next request reuses it',
      test: async () => {
        const { srv, idle } = await answeringServer();
        const agent = keepAliveAgent();
        const first = await request({ port: srv.port }, { agent });
        idle[0]!.write('HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nunasked');

        expect(await emitsWithin(first.socket, 'close', 150)).toBe(false);
        expect(pooledSockets(agent).free).toBe(1);
        const second = await request({ port: srv.port }, { agent });
        expect(second.reused).toBe(true);
        expect(second.body).toBe('ok');
        expect(srv.connections).toHaveLength(1);
      },
    },
  ]);

  it('without stray bytes the same idle socket is reused (the reference case)', async () => {
    const { srv } = await answeringServer();
    const agent = keepAliveAgent();
    await request({ port: srv.port }, { agent });
    const second = await request({ port: srv.port }, { agent });

    expect(second.reused).toBe(true);
    expect(srv.connections).toHaveLength(1);
  });
});
