/**
 * Rule agent-queue-without-keep-alive: an agent without `keepAlive: true`
 * but with a finite `maxSockets` still reuses a connection — for requests
 * already waiting in its queue. It announces `Connection: keep-alive`, hands
 * the freed socket to the queued request, and closes the socket only when
 * nothing is queued. With the default `maxSockets` (Infinity) it says
 * `Connection: close` and never reuses.
 *
 * Source: Node docs, `http.Agent` ("reusing a single socket connection for
 * each until the queue is empty, at which time the socket is either
 * destroyed or put into a pool … depends on the keepAlive option");
 * lib/_http_client.js (shouldKeepAlive for an agent with finite maxSockets).
 * Versions: the same on every release from 18.14.0 to 26.10.0.
 */
import * as http from 'node:http';
import { startServer } from '../helpers/server';
import { request } from '../helpers/client';
import { tracked, pooledSockets } from '../helpers/agents';
import { holdResponses } from '../helpers/hold';
import { within } from '../helpers/wait';

describe('an agent without keepAlive still reuses a socket for its queue', () => {
  it('with maxSockets: 1, queued requests say keep-alive and share one connection; then the socket is closed', async () => {
    const hold = holdResponses();
    const srv = await startServer({ handler: hold.handler });
    const agent = tracked(new http.Agent({ keepAlive: false, maxSockets: 1 }));
    const all = Promise.all([request(srv, { agent }), request(srv, { agent }), request(srv, { agent })]);
    await within(1_000, 'first request', hold.arrived(1));
    hold.releaseAll();
    const results = await within(2_000, 'three responses', all);
    await within(1_000, 'socket closed with the queue empty', results[2]!.closed);

    expect(srv.requests.map((r) => r.connectionHeader)).toEqual(['keep-alive', 'keep-alive', 'keep-alive']);
    expect(srv.requests.map((r) => r.connection)).toEqual([1, 1, 1]);
    expect(pooledSockets(agent)).toEqual({ busy: 0, free: 0 });
  });

  it('a later request, with nothing queued, gets a new connection', async () => {
    const srv = await startServer();
    const agent = tracked(new http.Agent({ keepAlive: false, maxSockets: 1 }));
    await request(srv, { agent });
    await request(srv, { agent });

    expect(srv.requests.map((r) => r.connection)).toEqual([1, 2]);
  });

  it('with the default maxSockets it says Connection: close, and even serial requests each get their own connection', async () => {
    const srv = await startServer();
    const agent = tracked(new http.Agent({ keepAlive: false }));
    const first = await request(srv, { agent });
    // Serial, and after the first connection is gone: a keep-alive agent would reuse it here.
    await within(1_000, 'server seeing the first connection close', srv.closed(1));
    await within(1_000, 'client socket closing', first.closed);
    const second = await request(srv, { agent });

    expect(srv.requests.map((r) => r.connectionHeader)).toEqual(['close', 'close']);
    expect(srv.requests.map((r) => r.connection)).toEqual([1, 2]);
    expect(second.reused).toBe(false);
  });

  it('the same serial requests through a keepAlive: true agent share one connection (the counter-case)', async () => {
    const srv = await startServer();
    const agent = tracked(new http.Agent({ keepAlive: true }));
    await request(srv, { agent });
    const second = await request(srv, { agent });

    expect(srv.requests.map((r) => r.connectionHeader)).toEqual(['keep-alive', 'keep-alive']);
    expect(srv.requests.map((r) => r.connection)).toEqual([1, 1]);
    expect(second.reused).toBe(true);
  });
});
