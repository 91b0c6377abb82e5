/**
 * Rule keep-alive-max: `server.maxRequestsPerSocket = N` makes a Node server
 * advertise `Keep-Alive: timeout=T, max=N`, answer the N-th request on a
 * connection with `Connection: close` and close it; a Node agent then opens a
 * new connection for the next request. The agent learns the limit from that
 * `Connection: close`, not from `max=`, which it never reads.
 *
 * Where Node differs from RFC 9112 §9.6 ("a server that sends a close
 * connection option MUST initiate closure of the connection after it sends
 * the response"): the server leaves the connection open until its idle
 * timeout, and answers any further request on it with 503 (Connection:
 * close, no Keep-Alive), emitting the server's 'dropRequest' event with that
 * request and its socket in place of 'request' (Node's
 * test-http-keep-alive-drop-requests.js and
 * test-http-keep-alive-pipeline-max-requests.js).
 *
 * Source: the seed's Q&A (`max=100`: requests the server allows per
 * connection); RFC 9112 §9.6 (close); Node docs, `server.maxRequestsPerSocket`;
 * Node's test-http-keep-alive-max-requests.js.
 * Versions: the same on every release from 18.14.0 to 26.12.1 ('dropRequest' was added in
 * 18.7.0). Node does not count `max` down:
 * every response before the last says the same `max=N`.
 */
import { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { startServer, respondWithHeader } from '../helpers/server';
import { request, serially } from '../helpers/client';
import { keepAliveAgent } from '../helpers/agents';
import { TIMER_EARLY_MS } from '../helpers/wait';
import { openRaw } from '../helpers/raw';
import { idleCloseMs, shortIdle } from '../helpers/node-server';
import { GET_HTTP11 } from '../fixtures/messages';
import { setTimeout as sleep } from 'node:timers/promises';

describe('Keep-Alive: max=N, from server.maxRequestsPerSocket', () => {
  it('every response before the N-th says "Keep-Alive: timeout=5, max=N"; the N-th says Connection: close', async () => {
    const srv = await startServer();
    srv.server.maxRequestsPerSocket = 3;
    const raw = await openRaw(srv.port);
    const heads: string[] = [];
    for (let i = 0; i < 3; i++) {
      raw.send(GET_HTTP11);
      heads.push((await raw.readResponse()).head);
    }

    expect(heads[0]).toMatch(/\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5, max=3\r\n/);
    expect(heads[1]).toMatch(/\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5, max=3\r\n/);
    expect(heads[2]).toContain('\r\nConnection: close\r\n');
    expect(heads[2]).not.toContain('Keep-Alive');
  });

  it('after the N-th response the server does not close at once (RFC 9112 §9.6 says it must): the idle timer closes it', async () => {
    const srv = await startServer(shortIdle(200));
    srv.server.maxRequestsPerSocket = 1;
    const raw = await openRaw(srv.port);
    raw.send(GET_HTTP11);
    const response = await raw.readResponse();

    expect(response.headers.connection).toEqual(['close']);
    expect(await srv.idleBeforeClose(1)).toBeGreaterThanOrEqual(idleCloseMs(srv.server) - TIMER_EARLY_MS);
  });

  it('a request sent on that connection anyway is answered 503 Service Unavailable, unseen by the handler', async () => {
    const srv = await startServer();
    srv.server.maxRequestsPerSocket = 1;
    const raw = await openRaw(srv.port);
    raw.send(GET_HTTP11);
    const allowed = await raw.readResponse();
    raw.send(GET_HTTP11);
    const refused = await raw.readResponse();

    expect(allowed.status).toBe(200);
    expect(refused.status).toBe(503);
    expect(refused.headers.connection).toEqual(['close']);
    expect(srv.requests).toHaveLength(1);
  });

  it('without maxRequestsPerSocket (0, the default) the header has no max and the connection serves any number of requests', async () => {
    const srv = await startServer();
    const raw = await openRaw(srv.port);
    const heads: string[] = [];
    for (let i = 0; i < 5; i++) {
      raw.send(GET_HTTP11);
      heads.push((await raw.readResponse()).head);
    }

    expect(srv.server.maxRequestsPerSocket).toBe(0);
    for (const head of heads) expect(head).toMatch(/\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n/);
    expect(srv.requests.map((r) => r.connection)).toEqual([1, 1, 1, 1, 1]);
    // Still open after the fifth: a FIN sent with it would be read within 100 ms.
    expect(await Promise.race([raw.closed.then(() => 'closed'), sleep(100).then(() => 'open')])).toBe('open');
  });

  it('a request pipelined past the limit is answered 503 Service Unavailable with Connection: close', async () => {
    const srv = await startServer();
    srv.server.maxRequestsPerSocket = 2;
    const raw = await openRaw(srv.port);
    raw.send(GET_HTTP11.repeat(3));
    const responses = [await raw.readResponse(), await raw.readResponse(), await raw.readResponse()];

    expect(responses.map((r) => r.status)).toEqual([200, 200, 503]);
    expect(responses[2]!.headers.connection).toEqual(['close']);
    expect(srv.requests).toHaveLength(2); // the handler never saw the third
  });

  it("each request past the limit emits the server's 'dropRequest' (its IncomingMessage and socket) instead of 'request', and is answered 503 with Connection: close, no Keep-Alive", async () => {
    const srv = await startServer();
    srv.server.maxRequestsPerSocket = 2;
    const dropped: Array<{ url: string | undefined; isRequest: boolean; sameSocket: boolean }> = [];
    srv.server.on('dropRequest', (req: IncomingMessage, socket: Socket) =>
      dropped.push({ url: req.url, isRequest: req instanceof IncomingMessage, sameSocket: socket === srv.connections[0] }),
    );
    const raw = await openRaw(srv.port);
    raw.send(['/1', '/2', '/3', '/4'].map((p) => GET_HTTP11.replace('GET / ', `GET ${p} `)).join(''));
    const responses = [await raw.readResponse(), await raw.readResponse(), await raw.readResponse(), await raw.readResponse()];

    expect(responses.map((r) => r.status)).toEqual([200, 200, 503, 503]);
    expect(srv.requests.map((r) => r.url)).toEqual(['/1', '/2']);
    expect(dropped).toEqual([
      { url: '/3', isRequest: true, sameSocket: true },
      { url: '/4', isRequest: true, sameSocket: true },
    ]);
    for (const refused of responses.slice(2)) {
      expect(refused.headers.connection).toEqual(['close']);
      expect(refused.headers['keep-alive']).toBeUndefined();
    }
    // Not even the 503s close it (the idle timer, 5 s here, does): a FIN sent with them would be read within 100 ms.
    expect(await Promise.race([raw.closed.then(() => 'closed'), sleep(100).then(() => 'open')])).toBe('open');
  });

  it("within the limit no 'dropRequest' is emitted: every request reaches the handler", async () => {
    const srv = await startServer();
    srv.server.maxRequestsPerSocket = 2;
    let drops = 0;
    srv.server.on('dropRequest', () => drops++);
    const raw = await openRaw(srv.port);
    raw.send(GET_HTTP11.repeat(2));
    const responses = [await raw.readResponse(), await raw.readResponse()];

    expect(responses.map((r) => r.status)).toEqual([200, 200]);
    expect(srv.requests).toHaveLength(2);
    expect(drops).toBe(0);
  });

  it('a keep-alive agent opens a new connection after every N requests', async () => {
    const srv = await startServer();
    srv.server.maxRequestsPerSocket = 2;
    const agent = keepAliveAgent();
    const results = await serially(5, () => request(srv, { agent }));

    expect(srv.requests.map((r) => r.connection)).toEqual([1, 1, 2, 2, 3]);
    expect(results.map((r) => r.reused)).toEqual([false, true, false, true, false]);
  });

  it('the same agent reuses one connection for all of them when the server sets no limit', async () => {
    const srv = await startServer();
    const agent = keepAliveAgent();
    await serially(5, () => request(srv, { agent }));

    expect(srv.requests.map((r) => r.connection)).toEqual([1, 1, 1, 1, 1]);
  });

  it('the agent does not read max=: a server that says max=1 but keeps the connection open gets it reused', async () => {
    const srv = await startServer({ handler: respondWithHeader('Keep-Alive', 'timeout=5, max=1') });
    const agent = keepAliveAgent();
    await serially(3, () => request(srv, { agent }));

    expect(srv.requests.map((r) => r.connection)).toEqual([1, 1, 1]);
  });
});
