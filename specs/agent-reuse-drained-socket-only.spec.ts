/**
 * Rule agent-reuse-drained-socket-only: an agent frees a socket only when
 * both the response has ended and the request body has been written out
 * (`req.writableFinished`). A socket whose request body is still waiting to
 * drain stays busy after its response: the next request opens a new
 * connection, and the one after reuses that new one. Once the body drains,
 * the first socket is freed and reused too.
 *
 * Source: Node's test-http-agent-reuse-drained-socket-only.js;
 * lib/_http_client.js (responseOnEnd: `req.writableFinished` before
 * responseKeepAlive); RFC 9112 §9.3 (a request is complete only when its body is).
 * Versions: the same on every release from 18.14.0 to 26.12.1.
 */
import * as http from 'node:http';
import type { Socket } from 'node:net';
import { once } from 'node:events';
import { setImmediate } from 'node:timers/promises';
import { startRawServer, rawResponse } from '../helpers/raw';
import { request } from '../helpers/client';
import { keepAliveAgent, pooledSockets } from '../helpers/agents';
import { within, nextTick } from '../helpers/wait';

/** Far more than loopback's socket buffers take in while the server does not read. */
const BODY = 8 * 1024 * 1024;

/**
 * A server that answers every request head at once. On its first connection
 * it stops reading after the first head, so that request's body cannot
 * drain, until `release()`. Records which connection carried which request.
 */
async function serverNotReadingFirstBody() {
  const seen: Array<{ connection: number; method: string }> = [];
  let first: Socket | undefined;
  const srv = await startRawServer((socket, index) => {
    if (index === 0) first = socket;
    let buffer = '';
    let skip = 0; // body bytes still to discard
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      const dropped = Math.min(skip, chunk.length);
      skip -= dropped;
      buffer += chunk.slice(dropped);
      for (let end = buffer.indexOf('\r\n\r\n'); end >= 0; end = buffer.indexOf('\r\n\r\n')) {
        const head = buffer.slice(0, end);
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        const rest = buffer.slice(end + 4);
        buffer = rest.slice(length);
        skip = Math.max(0, length - rest.length);
        seen.push({ connection: index + 1, method: head.split(' ')[0]! });
        socket.write(rawResponse('ok'));
        if (index === 0 && seen.length === 1) socket.pause(); // the body stays unread
      }
    });
  });
  return { ...srv, seen, release: () => first?.resume() };
}

/** A POST with an 8 MiB body through `agent`; resolves at its response's end (and the 'free' tick). */
async function postWithUndrainedBody(port: number, agent: http.Agent) {
  const req = http.request({ host: '127.0.0.1', port, agent, method: 'POST', headers: { 'content-length': BODY } });
  req.on('error', () => undefined); // the server may be closed with the body still in flight
  const flushed = req.write(Buffer.alloc(BODY, 'a'));
  req.end();
  const [res] = (await within(2_000, 'POST response', once(req, 'response'))) as [http.IncomingMessage];
  res.resume();
  await within(2_000, 'POST response end', once(res, 'end'));
  await nextTick();
  await setImmediate();
  return { req, flushed };
}

describe('an agent reuses only a socket whose request body has drained', () => {
  it('at the response end a socket with an undrained request body stays busy: the next request opens a new connection, the one after reuses it', async () => {
    const srv = await serverNotReadingFirstBody();
    const agent = keepAliveAgent();
    const { req, flushed } = await postWithUndrainedBody(srv.port, agent);

    expect(flushed).toBe(false);
    expect(req.writableFinished).toBe(false);
    expect(pooledSockets(agent)).toEqual({ busy: 1, free: 0 });

    const second = await within(2_000, 'second request', request({ port: srv.port }, { agent }));
    await setImmediate();
    const third = await within(2_000, 'third request', request({ port: srv.port }, { agent }));

    expect(second.localPort).not.toBe((req.socket as Socket).localPort);
    expect([second.reused, third.reused]).toEqual([false, true]);
    expect(third.localPort).toBe(second.localPort);
    expect(srv.seen).toEqual([
      { connection: 1, method: 'POST' },
      { connection: 2, method: 'GET' },
      { connection: 2, method: 'GET' },
    ]);
  });

  it('once the server reads the body and it drains, that socket is freed and the next request reuses the first connection', async () => {
    const srv = await serverNotReadingFirstBody();
    const agent = keepAliveAgent();
    const { req } = await postWithUndrainedBody(srv.port, agent);
    const finished = within(2_000, "POST 'finish' after the body drained", once(req, 'finish'));
    srv.release();
    await finished;
    await nextTick();

    expect(pooledSockets(agent)).toEqual({ busy: 0, free: 1 });
    const next = await within(2_000, 'next request', request({ port: srv.port }, { agent }));

    expect(next.reused).toBe(true);
    expect(srv.connections).toHaveLength(1);
    expect(srv.seen).toEqual([
      { connection: 1, method: 'POST' },
      { connection: 1, method: 'GET' },
    ]);
  });
});
