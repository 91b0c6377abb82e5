/**
 * Rule agent-error-on-idle: a socket that fails is never handed out again.
 * An error on a free (pooled) socket — a reset of the idle connection, or
 * any 'error' — makes the agent destroy it and take it out of the pool, with
 * no uncaught exception; the next request connects anew. A socket destroyed
 * at its response's end, before its 'close' has fired, is not handed to the
 * request queued for it: that request gets a new connection.
 *
 * Source: Node's test-http-agent-error-on-idle.js (emits 'error' on the free
 * socket) and test-http-agent-destroyed-socket.js; lib/_http_agent.js
 * (freeSocketErrorListener; the 'free' handler destroys a socket that is no
 * longer writable).
 * Versions: the rule holds on every release from 18.14.0 to 26.12.1. What a
 * reset of the idle connection looks like changed (IDLE_RESET_EMITS_ERROR,
 * bisected): 'error' ECONNRESET, then 'close'; since 22.23.1, 24.18.0 and
 * 26.4.0 (never 23.x, 25.x) only 'close'.
 */
import * as http from 'node:http';
import type { Socket } from 'node:net';
import { startServer } from '../helpers/server';
import { request } from '../helpers/client';
import { keepAliveAgent, pooledSockets, tracked } from '../helpers/agents';
import { within, emitsWithin, nextTick } from '../helpers/wait';
import { byRelease } from '../helpers/versions';
import { IDLE_RESET_EMITS_ERROR } from '../helpers/release-gates';

describe('a socket that failed is not handed out again', () => {
  describe('an error on a free socket evicts it', () => {
    it("an 'error' emitted on the pooled socket: the client closes it (seen by the server), the pool is empty, the next request connects anew", async () => {
      const srv = await startServer();
      const agent = keepAliveAgent();
      const first = await request(srv, { agent });
      await nextTick();
      expect(pooledSockets(agent)).toEqual({ busy: 0, free: 1 });

      first.socket.emit('error', new Error('ECONNRESET: test'));
      await within(1_000, 'server seeing the connection close', srv.closed(1));
      expect(pooledSockets(agent)).toEqual({ busy: 0, free: 0 });

      const second = await request(srv, { agent });
      expect(second.reused).toBe(false);
      expect(srv.requests.map((r) => r.connection)).toEqual([1, 2]);
    });

    /** A pooled socket whose connection the server resets; the events the client socket saw. */
    async function resetWhileIdle() {
      const srv = await startServer();
      const agent = keepAliveAgent();
      const first = await request(srv, { agent });
      await nextTick();
      const events: string[] = [];
      first.socket.on('error', (error: NodeJS.ErrnoException) => events.push(`error ${error.code ?? error.message}`));
      first.socket.on('close', () => events.push('close'));

      srv.connections[0]!.resetAndDestroy();
      await within(1_000, 'client socket closing', first.closed);
      expect(pooledSockets(agent)).toEqual({ busy: 0, free: 0 });
      const second = await request(srv, { agent });
      expect(second.reused).toBe(false);
      expect(srv.requests.map((r) => r.connection)).toEqual([1, 2]);
      return events;
    }

    byRelease([
      {
        on: IDLE_RESET_EMITS_ERROR.yes,
        title: "the server resets the idle connection: the pooled socket emits 'error' ECONNRESET, then 'close', leaves the pool, and the next request connects anew",
        test: async () => expect(await resetWhileIdle()).toEqual(['error ECONNRESET', 'close']),
      },
      {
        on: IDLE_RESET_EMITS_ERROR.no,
        title: "the server resets the idle connection: the pooled socket closes with no 'error' event, leaves the pool, and the next request connects anew",
        test: async () => expect(await resetWhileIdle()).toEqual(['close']),
      },
    ]);

    it('counter-case: with no error the free socket stays open and pooled, and the next request reuses it', async () => {
      const srv = await startServer();
      const agent = keepAliveAgent();
      await request(srv, { agent });
      await nextTick();

      expect(await emitsWithin(srv.connections[0]!, 'close', 50)).toBe(false);
      expect(pooledSockets(agent)).toEqual({ busy: 0, free: 1 });
      const second = await request(srv, { agent });
      expect(second.reused).toBe(true);
      expect(srv.requests.map((r) => r.connection)).toEqual([1, 1]);
    });
  });

  describe('a socket destroyed before its close is not handed to a queued request', () => {
    /** Two requests at once through `maxSockets: 1`; the first one's socket destroyed at its response end if `destroy`. */
    async function queuedBehind(destroy: boolean, keepAlive: boolean) {
      const srv = await startServer();
      const agent = keepAlive ? keepAliveAgent({ maxSockets: 1 }) : tracked(new http.Agent({ maxSockets: 1 }));
      const firstSocket = new Promise<Socket>((resolve) => {
        const req = http.get({ host: '127.0.0.1', port: srv.port, agent }, (res) => {
          res.resume();
          res.on('end', () => {
            if (destroy) req.socket!.destroy(); // before its 'close', which comes a tick later
            resolve(req.socket as Socket);
          });
        });
      });
      const second = request(srv, { agent });
      const [socket, result] = await within(2_000, 'both requests', Promise.all([firstSocket, second]));
      return { srv, socket, result };
    }

    it.each([true, false])('keepAlive %s: destroyed at its response end, the socket is not given to the queued request; that one gets a new connection', async (keepAlive) => {
      const { srv, socket, result } = await queuedBehind(true, keepAlive);

      expect(result.socket === socket).toBe(false); // identity, not the objects: a failure report holding two sockets would not serialize
      expect(result.status).toBe(200);
      expect(srv.requests.map((r) => r.connection)).toEqual([1, 2]);
    });

    it.each([true, false])('counter-case, keepAlive %s: not destroyed, the same socket carries the queued request on the same connection', async (keepAlive) => {
      const { srv, socket, result } = await queuedBehind(false, keepAlive);

      expect(result.socket === socket).toBe(true); // identity (see above)
      expect(srv.requests.map((r) => r.connection)).toEqual([1, 1]);
    });
  });
});
