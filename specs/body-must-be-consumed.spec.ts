/**
 * Rule body-must-be-consumed: a response's socket goes back to the agent only
 * after the body has been read to its end. Unread, 'end' never fires and the
 * connection stays busy: with `maxSockets: 1` the next request waits forever,
 * otherwise it opens another connection. `res.resume()` is enough to free it.
 *
 * Source: the seed ("the response body must be consumed or 'end' never
 * fires"); RFC 9112 §9.3 ("a client MUST read the entire response message
 * body if it intends to reuse the same connection"); Node docs,
 * `http.request()` ("Until the data is consumed, the 'end' event will not
 * fire"; "If no 'response' handler is added, then the response will be
 * entirely discarded").
 * Versions: the same on every release from 18.14.0 to 26.10.0.
 */
import * as http from 'node:http';
import { startServer } from '../helpers/server';
import { request } from '../helpers/client';
import { keepAliveAgent, pooledSockets, queuedRequests } from '../helpers/agents';
import { emitsWithin, within, nextTick } from '../helpers/wait';

describe('the body must be read before the connection is reused', () => {
  it("an unread response never emits 'end', so with maxSockets: 1 the next request stays queued", async () => {
    const srv = await startServer();
    const agent = keepAliveAgent({ maxSockets: 1 });
    const first = await request(srv, { agent, consume: false });
    const second = request(srv, { agent });

    expect(await emitsWithin(first.res, 'end', 100)).toBe(false);
    expect(queuedRequests(agent)).toBe(1);
    expect(srv.requests).toHaveLength(1);

    first.res.resume(); // read and discard: now 'end' fires and the socket is freed
    const result = await second;
    expect(srv.requests).toHaveLength(2);
    expect(srv.distinctPeerPorts()).toBe(1);
    expect(result.localPort).toBe(first.localPort);
  });

  it('an unread response pins its connection: without maxSockets the next request opens another one', async () => {
    const srv = await startServer();
    const agent = keepAliveAgent();
    const first = await request(srv, { agent, consume: false });
    const second = await request(srv, { agent });

    expect(srv.distinctPeerPorts()).toBe(2);
    expect(second.reused).toBe(false);
    expect(pooledSockets(agent)).toEqual({ busy: 1, free: 1 });
    first.res.resume();
  });

  it("res.resume() with no 'data' handler is enough: the next request reuses the connection", async () => {
    const srv = await startServer();
    const agent = keepAliveAgent();
    const first = await request(srv, { agent, consume: false });
    first.res.resume();
    expect(await emitsWithin(first.res, 'end', 1_000)).toBe(true);
    await nextTick(); // see next-tick-after-end
    const second = await request(srv, { agent });

    expect(srv.distinctPeerPorts()).toBe(1);
    expect(second.reused).toBe(true);
  });

  it("with no 'response' listener at all, Node reads and discards the body itself and frees the socket", async () => {
    const srv = await startServer({ handler: (req, res) => (req.resume(), res.end('x'.repeat(64 * 1024))) });
    const agent = keepAliveAgent({ maxSockets: 1 });
    http.get({ host: '127.0.0.1', port: srv.port, agent }); // nobody listens for 'response'
    const second = await within(2_000, 'the queued request being served', request(srv, { agent }));

    expect(srv.requests).toHaveLength(2);
    expect(srv.distinctPeerPorts()).toBe(1);
    expect(second.body).toHaveLength(64 * 1024);
  });
});
