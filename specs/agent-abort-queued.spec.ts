/**
 * Rule agent-abort-queued: aborting a request that waits in the agent's
 * queue costs nothing: no connection is opened for it, nothing of it reaches
 * the server, and the socket it would have got goes on to the next queued
 * request. Aborting a request that already has its socket costs that
 * connection: the next request connects anew.
 *
 * Source: Node's test-http-client-abort-keep-alive-queued-tcp-socket.js
 * (counts createConnection calls); lib/_http_client.js (onSocketNT: a
 * destroyed request hands its socket straight back with 'free'); Node docs,
 * `request.destroy()` (`request.abort()` is deprecated, and does the same here).
 * Versions: the same on every release from 18.14.0 to 26.12.1.
 */
import * as http from 'node:http';
import type { ServerResponse } from 'node:http';
import { startServer, type ServerFixture } from '../helpers/server';
import { request } from '../helpers/client';
import { tracked } from '../helpers/agents';
import { within, nextEvent } from '../helpers/wait';

/** A keep-alive agent with `maxSockets: 1` that counts the connections it creates. */
function countingAgent() {
  let created = 0;
  class CountingAgent extends http.Agent {
    override createConnection(...args: Parameters<http.Agent['createConnection']>) {
      created++;
      return super.createConnection(...args);
    }
  }
  const agent = tracked(new CountingAgent({ keepAlive: true, maxSockets: 1 }));
  return { agent, created: () => created };
}

/** Three requests at once through `agent`; the middle one is aborted (`how`) while queued, or not. */
async function threeWithTheMiddleOneAborted(srv: ServerFixture, agent: http.Agent, how: 'destroy' | 'abort' | 'none') {
  const first = request(srv, { agent, path: '/first' });
  const middle = http.get({ host: '127.0.0.1', port: srv.port, agent, path: '/middle' });
  const settled = new Promise<string>((resolve) => {
    middle.on('response', (res) => res.resume().on('end', () => resolve('served')));
    middle.on('error', (error: NodeJS.ErrnoException) => resolve(`${error.code}: ${error.message}`));
    middle.on('abort', () => resolve('abort event'));
  });
  if (how === 'destroy') middle.destroy();
  if (how === 'abort') middle.abort();
  const third = request(srv, { agent, path: '/third' });
  const results = await within(2_000, 'every request settling', Promise.all([first, settled, third]));
  return { middle, outcome: results[1], third: results[2] };
}

describe('aborting a queued request does not open or waste a connection', () => {
  it.each<['destroy' | 'abort', string]>([
    ['destroy', 'ECONNRESET: socket hang up'],
    ['abort', 'abort event'],
  ])('a queued request ended with req.%s(): one connection created, the server sees only the other two requests, both on it', async (how, outcome) => {
    const srv = await startServer();
    const { agent, created } = countingAgent();
    const result = await threeWithTheMiddleOneAborted(srv, agent, how);

    expect(result.outcome).toBe(outcome);
    expect(created()).toBe(1);
    expect(srv.connections).toHaveLength(1);
    expect(srv.requests.map((r) => `${r.url} on ${r.connection}`)).toEqual(['/first on 1', '/third on 1']);
  });

  it('counter-case: not aborted, the middle request is served on that connection too: three requests, one connection', async () => {
    const srv = await startServer();
    const { agent, created } = countingAgent();
    const result = await threeWithTheMiddleOneAborted(srv, agent, 'none');

    expect(result.outcome).toBe('served');
    expect(created()).toBe(1);
    expect(srv.requests.map((r) => `${r.url} on ${r.connection}`)).toEqual(['/first on 1', '/middle on 1', '/third on 1']);
  });

  it('counter-case: aborting a request that has its socket (sent, response pending) closes that connection; the next request connects anew', async () => {
    const held: ServerResponse[] = [];
    const srv = await startServer({ handler: (req, res) => (req.resume(), held.push(res)) });
    const { agent, created } = countingAgent();
    const inFlight = http.get({ host: '127.0.0.1', port: srv.port, agent, path: '/in-flight' });
    inFlight.on('error', () => undefined); // socket hang up: expected
    await nextEvent(srv.server, 'request');
    inFlight.destroy();
    await within(1_000, 'server seeing the connection close', srv.closed(1));

    const next = request(srv, { agent, path: '/next' });
    await nextEvent(srv.server, 'request');
    held[1]!.end('ok');
    expect((await next).reused).toBe(false);
    expect(created()).toBe(2);
    expect(srv.requests.map((r) => `${r.url} on ${r.connection}`)).toEqual(['/in-flight on 1', '/next on 2']);
  });
});
