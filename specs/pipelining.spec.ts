/**
 * Rule pipelining: a Node server answers pipelined requests (several sent
 * before any response) in request order on one connection, even when its
 * handlers finish in another order. Node's own client agent never pipelines:
 * it writes a request on a connection only after the previous response.
 *
 * Source: RFC 9112 §9.3.2 (pipelining: responses in the order of requests);
 * the seed ("requests must be serial, not overlapped").
 * Versions: the same on every release from 18.14.0 to 26.10.0.
 */
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { startServer } from '../helpers/server';
import { request } from '../helpers/client';
import { keepAliveAgent } from '../helpers/agents';
import { onRequestHeads, openRaw, rawResponse, startRawServer } from '../helpers/raw';
import { emitsWithin, within } from '../helpers/wait';
import { message } from '../fixtures/messages';

const get = (path: string) => message(`GET ${path} HTTP/1.1`, ['Host: 127.0.0.1']);

describe('pipelining', () => {
  it('a Node server answers three pipelined requests in request order, though its handlers finish in reverse', async () => {
    const held = new Map<string, ServerResponse>();
    const srv = await startServer({
      handler: (req, res) => {
        held.set(req.url ?? '', res);
        if (held.size === 3) for (const url of ['/3', '/2', '/1']) held.get(url)!.end(url);
      },
    });
    const raw = await openRaw(srv.port);
    raw.send(get('/1') + get('/2') + get('/3'));
    const bodies = [(await raw.readResponse()).body, (await raw.readResponse()).body, (await raw.readResponse()).body];

    expect(bodies).toEqual(['/1', '/2', '/3']);
    expect(srv.requests.map((r) => r.url)).toEqual(['/1', '/2', '/3']);
    expect(srv.connections).toHaveLength(1);
  });

  it("Node's agent never pipelines: with one socket, the second request reaches the wire only after the first response", async () => {
    const heads: string[] = [];
    let headArrived: (() => void) | undefined;
    const nextHead = () => new Promise<void>((resolve) => (headArrived = resolve));
    let connection: Socket | undefined;
    const srv = await startRawServer((socket) => {
      connection = socket;
      onRequestHeads(socket, (head) => {
        heads.push(head);
        headArrived?.();
      });
    });
    const agent = keepAliveAgent({ maxSockets: 1 });
    const firstHead = nextHead();
    const first = request({ port: srv.port }, { agent, path: '/1' });
    const second = request({ port: srv.port }, { agent, path: '/2' });
    await within(1_000, 'first request head', firstHead);

    // The second request exists, yet no byte of it is on the wire.
    expect(await emitsWithin(connection!, 'data', 100)).toBe(false);
    expect(heads.map((h) => h.split('\r\n')[0])).toEqual(['GET /1 HTTP/1.1']);

    const secondHead = nextHead();
    connection!.write(rawResponse('one'));
    await first;
    await within(1_000, 'second request head', secondHead);
    connection!.write(rawResponse('two'));
    await second;
    expect(heads.map((h) => h.split('\r\n')[0])).toEqual(['GET /1 HTTP/1.1', 'GET /2 HTTP/1.1']);
    expect(srv.connections).toHaveLength(1);
  });
});
