/**
 * Rule agent-keepalive-hooks: `agent.keepSocketAlive(socket)` and
 * `agent.reuseSocket(socket, req)` are hooks the agent calls on each
 * instance. keepSocketAlive is asked once per freed socket: returning false
 * makes the agent destroy the socket instead of pooling it (the server sees
 * it close, the next request connects anew); the default keeps it.
 * reuseSocket is called when a pooled socket is taken for a new request
 * (not when a freed socket goes straight to a queued request).
 *
 * Source: Node docs, `agent.keepSocketAlive(socket)`, `agent.reuseSocket(socket, request)`
 * ("may be overridden by a particular Agent"); Node's test-http-keepalive-override.js.
 * Versions: the same on every release from 18.14.0 to 26.12.1.
 */
import type * as http from 'node:http';
import type { Socket } from 'node:net';
import type { ServerResponse } from 'node:http';
import { setImmediate } from 'node:timers/promises';
import { startServer } from '../helpers/server';
import { request, serially } from '../helpers/client';
import { keepAliveAgent, pooledSockets } from '../helpers/agents';
import { within, nextEvent } from '../helpers/wait';

/** Overrides both hooks on `agent`, recording each call; `keep(n)` decides the n-th (from 1) keepSocketAlive call. */
function hooked(agent: http.Agent, keep: (n: number) => boolean | 'default') {
  const calls: string[] = [];
  const sockets: Socket[] = [];
  const defaults = { keepSocketAlive: agent.keepSocketAlive, reuseSocket: agent.reuseSocket };
  agent.keepSocketAlive = (socket: Socket) => {
    calls.push('keepSocketAlive');
    sockets.push(socket);
    const decision = keep(calls.filter((c) => c === 'keepSocketAlive').length);
    return decision === 'default' ? defaults.keepSocketAlive.call(agent, socket) : decision;
  };
  agent.reuseSocket = (socket: Socket, req: http.ClientRequest) => {
    calls.push(`reuseSocket(${sockets.includes(socket) ? 'pooled socket' : 'other socket'}, ${req.path})`);
    defaults.reuseSocket.call(agent, socket, req);
  };
  return calls;
}

describe('keepSocketAlive() and reuseSocket() are hooks the agent calls', () => {
  it('keepSocketAlive returning false: the freed socket is destroyed (the server sees the close), and the next request connects anew', async () => {
    const srv = await startServer();
    const agent = keepAliveAgent();
    const calls = hooked(agent, () => false);
    const first = await request(srv, { agent, path: '/1' });
    await within(1_000, 'server seeing the connection close', srv.closed(1));
    await setImmediate();
    expect(first.socket.destroyed).toBe(true);
    expect(pooledSockets(agent).free).toBe(0);
    expect(calls).toEqual(['keepSocketAlive']);

    const second = await request(srv, { agent, path: '/2' });
    expect(second.reused).toBe(false);
    expect(srv.requests.map((r) => r.connection)).toEqual([1, 2]);
  });

  it('false, then the default, then false: three requests on two connections; reuseSocket is called once, for the pooled socket', async () => {
    const srv = await startServer();
    const agent = keepAliveAgent();
    const calls = hooked(agent, (n) => (n === 2 ? 'default' : false));
    const results = await serially(3, async (i) => {
      const result = await request(srv, { agent, path: `/${i + 1}` });
      await setImmediate();
      return result;
    });

    expect(results.map((r) => r.reused)).toEqual([false, false, true]);
    expect(calls).toEqual(['keepSocketAlive', 'keepSocketAlive', 'reuseSocket(pooled socket, /3)', 'keepSocketAlive']);
    expect(srv.requests.map((r) => r.connection)).toEqual([1, 2, 2]);
    expect(pooledSockets(agent).free).toBe(0); // the last one said false too
  });

  it('counter-case: with the default hooks three serial requests share one connection', async () => {
    const srv = await startServer();
    const agent = keepAliveAgent();
    const calls = hooked(agent, () => 'default');
    await serially(3, async (i) => {
      await request(srv, { agent, path: `/${i + 1}` });
      await setImmediate();
    });

    expect(calls).toEqual(['keepSocketAlive', 'reuseSocket(pooled socket, /2)', 'keepSocketAlive', 'reuseSocket(pooled socket, /3)', 'keepSocketAlive']);
    expect(srv.requests.map((r) => r.connection)).toEqual([1, 1, 1]);
  });

  it('a socket freed straight to a queued request passes neither hook', async () => {
    const held: ServerResponse[] = [];
    const srv = await startServer({ handler: (req, res) => (req.resume(), held.push(res)) });
    const agent = keepAliveAgent({ maxSockets: 1 });
    const calls = hooked(agent, () => 'default');
    const arrived = nextEvent(srv.server, 'request');
    const first = request(srv, { agent, path: '/1' });
    const second = request(srv, { agent, path: '/2' });
    await arrived;
    const arrivedAgain = nextEvent(srv.server, 'request');
    held[0]!.end('one');
    await arrivedAgain;
    held[1]!.end('two');
    await within(2_000, 'both responses', Promise.all([first, second]));
    await setImmediate();

    expect(calls).toEqual(['keepSocketAlive']); // only when the second one's socket went to the pool
    expect(srv.requests.map((r) => r.connection)).toEqual([1, 1]);
  });
});
