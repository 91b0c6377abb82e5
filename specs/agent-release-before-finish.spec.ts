/**
 * Rule agent-release-before-finish: a server may answer a request before its
 * body has arrived. With the agent's one socket taken (`maxSockets: 1`), a
 * queued request does not go out at that early response's end: it waits
 * until the client has finished sending the body, then goes out on the same
 * connection — so the server never sees the next request inside the body of
 * the previous one.
 *
 * Source: Node's test-http-client-keep-alive-release-before-finish.js;
 * lib/_http_client.js (responseOnEnd frees the socket only once the request
 * has finished; 'finish' does it otherwise); RFC 9112 §9.3.
 * Versions: the same on every release from 18.14.0 to 26.12.1.
 */
import * as http from 'node:http';
import { once } from 'node:events';
import { setImmediate } from 'node:timers/promises';
import { startServer, type Handler } from '../helpers/server';
import { request } from '../helpers/client';
import { keepAliveAgent, queuedRequests } from '../helpers/agents';
import { within, nextTick } from '../helpers/wait';

/**
 * A handler that answers every request at once, before reading its body, and
 * records each arrival with whether the POST before it had its whole body then.
 */
function recorder() {
  const arrivals: Array<{ method: string; postComplete: boolean | undefined }> = [];
  let post: http.IncomingMessage | undefined;
  const handler: Handler = (req, res) => {
    if (req.method === 'POST') post = req;
    arrivals.push({ method: req.method ?? '', postComplete: req === post ? undefined : post?.complete });
    req.resume();
    res.end('early');
  };
  return { arrivals, handler, post: () => post };
}

/** A POST that has sent 16 KiB of its body and not ended, and a GET queued behind it. */
async function postThenQueuedGet() {
  const seen = recorder();
  const srv = await startServer({ handler: seen.handler });
  const agent = keepAliveAgent({ maxSockets: 1 });
  const post = http.request({ host: '127.0.0.1', port: srv.port, agent, method: 'POST' });
  post.write(Buffer.alloc(16 * 1024, 'X'));
  const response = once(post, 'response') as Promise<[http.IncomingMessage]>;
  const get = request(srv, { agent });
  return { srv, agent, post, response, get, seen };
}

describe('a queued request waits until the request before it has finished', () => {
  it('the POST is answered before its body is finished: at that response end the queued GET is still queued and not sent', async () => {
    const { srv, agent, post, response, get, seen } = await postThenQueuedGet();
    const [res] = await within(2_000, 'early response', response);
    res.resume();
    await within(2_000, 'early response end', once(res, 'end'));
    await nextTick();
    await setImmediate();

    expect(queuedRequests(agent)).toBe(1);
    expect(srv.requests.map((r) => r.method)).toEqual(['POST']);
    expect(seen.post()?.complete).toBe(false);

    post.end('last bytes');
    const second = await within(2_000, 'queued GET', get);
    expect(second.body).toBe('early');
  });

  it('once the POST body is finished, the queued GET goes out on the same connection, after the whole body', async () => {
    const { srv, post, response, get, seen } = await postThenQueuedGet();
    const [res] = await within(2_000, 'early response', response);
    res.resume();
    await within(2_000, 'early response end', once(res, 'end'));
    post.end('last bytes');
    await within(2_000, 'queued GET', get);

    expect(seen.arrivals).toEqual([
      { method: 'POST', postComplete: undefined },
      { method: 'GET', postComplete: true },
    ]);
    expect(srv.requests.map((r) => r.connection)).toEqual([1, 1]);
  });

  it('counter-case: without maxSockets the GET does not wait: it goes out at once on a second connection, while the POST body is unfinished', async () => {
    const seen = recorder();
    const srv = await startServer({ handler: seen.handler });
    const agent = keepAliveAgent();
    const post = http.request({ host: '127.0.0.1', port: srv.port, agent, method: 'POST' });
    post.write(Buffer.alloc(16 * 1024, 'X'));
    await within(2_000, 'POST arriving', once(srv.server, 'request'));
    const get = await within(2_000, 'GET', request(srv, { agent }));
    post.end('last bytes');

    expect(get.body).toBe('early');
    expect(seen.arrivals).toEqual([
      { method: 'POST', postComplete: undefined },
      { method: 'GET', postComplete: false },
    ]);
    expect(srv.requests.map((r) => r.connection)).toEqual([1, 2]);
  });
});
