/**
 * Rule server-fin-reuse-race: a server that closes a kept-alive connection
 * with a FIN (no `Connection: close` in the response) races the client's
 * next request. A client that reuses the socket before it has read that FIN
 * writes its request onto a closed connection and loses it: for http.Agent,
 * the next request sent in process.nextTick after 'end' fails ECONNRESET
 * "socket hang up" with reusedSocket true; for fetch(), a fetch started after
 * the FIN reached the client's kernel, but before its event loop polled the
 * socket, fails with "fetch failed" (cause UND_ERR_SOCKET). Newer releases
 * check an idle socket before writing to it, see the FIN, and send the
 * request on a new connection instead. Once the client has seen the FIN
 * (the socket closed), every release connects anew.
 *
 * What reset-race and pooled-socket-closed-by-server leave out: there the
 * server drops the connection when the request arrives, or the client waits
 * for the close; here the FIN is already on its way when the client reuses.
 *
 * Source: nodejs/node issue #47130 (ECONNRESET with keep-alive when the
 * server closes), undici issues #1415, #3492; undici's idle-socket
 * validation (advisory GHSA-35p6-xmwp-9g52, lib/dispatcher/client-h1.js);
 * RFC 9112 §9.5 (a client must be able to recover from asynchronous close
 * events) and §9.6 (a server should send `Connection: close` before it
 * closes); measured with a raw server.
 * Versions (helpers/release-gates.ts):
 *   http.Agent passes the socket over since 22.23.5, 24.22.1 and 26.12.1
 *   (AGENT_REUSES_SOCKET_AFTER_FIN); never in 23.x or 25.x.
 *   fetch() waits for the socket's poll since undici 6.28.1, 7.29.1, 8.8.0 –
 *   8.9.x and 8.10.2 (FETCH_WAITS_FOR_IDLE_SOCKET_POLL; Node 22.23.3,
 *   24.21.0, 26.5.1 – 26.7.x, 26.8.2). undici 6.27 – 6.28.0, 7.28 – 7.29.0,
 *   8.5 – 8.7 and 8.10.0 wait only a 1 ms timer, which a loop busy for a few
 *   milliseconds (as here) runs before the poll: the request is lost there.
 */
import * as http from 'node:http';
import type { Socket } from 'node:net';
import { setImmediate } from 'node:timers/promises';
import { keepAliveAgent } from '../helpers/agents';
import { onRequestHeads, rawResponse, startRawServer } from '../helpers/raw';
import { byRelease } from '../helpers/versions';
import { AGENT_REUSES_SOCKET_AFTER_FIN, FETCH_WAITS_FOR_IDLE_SOCKET_POLL } from '../helpers/release-gates';
import { nextTick, within } from '../helpers/wait';

/**
 * A raw server that answers every request with a plain keep-alive response;
 * `finAfterFirst`: the first response is followed by a FIN, and the socket
 * then closed for good (a later request on it gets a reset).
 * `seen[n]` counts the requests connection n carried.
 */
async function rawServer(finAfterFirst: boolean) {
  const seen: number[] = [];
  const sockets: Socket[] = [];
  const srv = await startRawServer((socket, n) => {
    sockets.push(socket);
    seen[n] = 0;
    onRequestHeads(socket, () => {
      seen[n]!++;
      if (finAfterFirst && n === 0 && seen[n] === 1) socket.end(rawResponse('first'), () => socket.destroy());
      else socket.write(rawResponse(`ok from connection ${n + 1}`));
    });
  });
  return { srv, seen, sockets };
}

interface Got {
  body?: string;
  error?: NodeJS.ErrnoException;
  reusedSocket: boolean;
  socket?: Socket;
}

function get(port: number, agent: http.Agent): Promise<Got> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ body, reusedSocket: req.reusedSocket, socket: req.socket as Socket }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error, reusedSocket: req.reusedSocket }));
  });
}

/** Busy the event loop for `ms` without yielding. */
function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

/** A first GET through a keep-alive agent to the raw server that sends its FIN with the response, then a second in process.nextTick. */
async function secondInNextTick() {
  const { srv, seen } = await rawServer(true);
  const agent = keepAliveAgent();
  expect((await get(srv.port, agent)).body).toBe('first');
  await nextTick();
  const second = await within(2_000, 'second request settling', get(srv.port, agent));
  return { seen, second };
}

describe('a server FIN racing the reuse of its connection', () => {
  describe('http.Agent, the next request sent in process.nextTick after the response ended', () => {
    byRelease([
      {
        on: AGENT_REUSES_SOCKET_AFTER_FIN.yes,
        title: 'writes it onto the closing socket: ECONNRESET "socket hang up", reusedSocket true, the server never saw it',
        test: async () => {
          const { seen, second } = await secondInNextTick();

          expect(second.error?.code).toBe('ECONNRESET');
          expect(second.error?.message).toBe('socket hang up');
          expect(second.reusedSocket).toBe(true);
          expect(seen).toEqual([1]); // one connection, one request read
        },
      },
      {
        on: AGENT_REUSES_SOCKET_AFTER_FIN.no,
        title: 'passes the closing socket over: the request goes out on a new connection and succeeds',
        test: async () => {
          const { seen, second } = await secondInNextTick();

          expect(second.body).toBe('ok from connection 2');
          expect(second.reusedSocket).toBe(false);
          expect(seen).toEqual([1, 1]);
        },
      },
    ]);

    it('once the client has seen the FIN (the socket closed), the next request connects anew on every release', async () => {
      const { srv, seen } = await rawServer(true);
      const agent = keepAliveAgent();
      const first = await get(srv.port, agent);
      await within(1_000, 'client socket closing', new Promise((resolve) => (first.socket!.closed ? resolve(null) : first.socket!.once('close', resolve))));
      const second = await get(srv.port, agent);

      expect(second.body).toBe('ok from connection 2');
      expect(seen).toEqual([1, 1]);
    });

    it('without the FIN the same nextTick request reuses the connection (the reference case)', async () => {
      const { srv, seen } = await rawServer(false);
      const agent = keepAliveAgent();
      await get(srv.port, agent);
      await nextTick();
      const second = await get(srv.port, agent);

      expect(second.body).toBe('ok from connection 1');
      expect(second.reusedSocket).toBe(true);
      expect(seen).toEqual([2]);
    });
  });

  describe('fetch(), started as the FIN reaches the client, with the loop busy for 5 ms after', () => {
    /** First fetch; a macrotask later the server closes the idle connection (FIN now) and the next fetch starts at once. */
    async function fetchAsServerCloses(close: boolean) {
      const { srv, seen, sockets } = await rawServer(false);
      const url = `http://127.0.0.1:${srv.port}/`;
      await (await fetch(url)).text();
      await setImmediate(); // idle in undici's pool
      if (close) sockets[0]!.destroy(); // the FIN leaves at once: close(2) on the socket
      const second = fetch(url).then(
        async (res) => ({ body: await res.text(), error: undefined }),
        (error: Error & { cause?: { code?: string } }) => ({ body: undefined, error }),
      );
      busy(5); // a loaded process: a 1 ms timer is due before the next poll
      return { result: await within(2_000, 'second fetch settling', second), seen };
    }

    byRelease([
      {
        on: FETCH_WAITS_FOR_IDLE_SOCKET_POLL.no,
        title: 'writes the request onto the closed connection: "fetch failed", cause UND_ERR_SOCKET',
        test: async () => {
          const { result, seen } = await fetchAsServerCloses(true);

          expect(result.error?.message).toBe('fetch failed');
          expect(result.error?.cause?.code).toBe('UND_ERR_SOCKET');
          expect(seen).toEqual([1]);
        },
      },
      {
        on: FETCH_WAITS_FOR_IDLE_SOCKET_POLL.yes,
        title: 'polls the idle socket first, sees the FIN and sends the request on a new connection',
        test: async () => {
          const { result, seen } = await fetchAsServerCloses(true);

          expect(result.body).toBe('ok from connection 2');
          expect(seen).toEqual([1, 1]);
        },
      },
    ]);

    it('without the FIN the same fetch reuses the connection (the reference case)', async () => {
      const { result, seen } = await fetchAsServerCloses(false);

      expect(result.body).toBe('ok from connection 1');
      expect(seen).toEqual([2]);
    });
  });
});
