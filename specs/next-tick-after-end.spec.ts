/**
 * Rule next-tick-after-end: the agent frees a response's socket one tick
 * after the response's 'end' event. A request issued synchronously inside the
 * 'end' handler finds no free socket and opens a new connection; one issued
 * from any later callback (process.nextTick, a promise continuation,
 * setImmediate) reuses the socket.
 *
 * Source: the seed ("the second must start in process.nextTick after the
 * first response's 'end'"); Node's `lib/_http_client.js` (responseKeepAlive
 * emits the socket's 'free' with process.nextTick); Node docs, agent 'free'.
 * Versions: the same on every release from 18.14.0 to 26.10.0. The modern idioms (await,
 * for await...of, setImmediate) all run after that tick and reuse.
 */
import * as http from 'node:http';
import { once } from 'node:events';
import { startServer } from '../helpers/server';
import { request, type ClientResult } from '../helpers/client';
import { keepAliveAgent, pooledSockets } from '../helpers/agents';
import { within } from '../helpers/wait';

/** How a program starts its second request once the first response is done. */
type Idiom = (res: http.IncomingMessage, send: () => void) => void;

const sync: Idiom = (res, send) => {
  res.on('end', send);
  res.resume();
};
const modernIdioms: Array<[string, Idiom]> = [
  ['in process.nextTick after the end event (the seed\'s fix)', (res, send) => {
    res.on('end', () => process.nextTick(send));
    res.resume();
  }],
  ['after `await once(res, "end")`', (res, send) => {
    void once(res, 'end').then(send);
    res.resume();
  }],
  ['after a `for await (const chunk of res)` loop', (res, send) => {
    void (async () => {
      for await (const chunk of res) void chunk;
      send();
    })();
  }],
  ['in queueMicrotask after the end event', (res, send) => {
    res.on('end', () => queueMicrotask(send));
    res.resume();
  }],
  ['in setImmediate after the end event', (res, send) => {
    res.on('end', () => setImmediate(send));
    res.resume();
  }],
];

/** First request through a fresh keep-alive agent; the second starts as `idiom` says. */
async function secondRequestAfter(idiom: Idiom) {
  const srv = await startServer();
  const agent = keepAliveAgent();
  const second = new Promise<ClientResult>((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: srv.port, agent }, (res) => {
      idiom(res, () => request(srv, { agent }).then(resolve, reject));
    });
    req.on('error', reject);
  });
  return { srv, second: await within(2_000, 'second response', second) };
}

describe("the agent frees a socket one tick after the response's 'end'", () => {
  it("inside the 'end' handler the socket is still busy; one tick later it is in the free pool", async () => {
    const srv = await startServer();
    const agent = keepAliveAgent();
    const seen: string[] = [];
    agent.on('free', () => seen.push('agent free'));
    await new Promise<void>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: srv.port, agent }, (res) => {
        res.on('end', () => {
          seen.push(`end: ${JSON.stringify(pooledSockets(agent))}`);
          process.nextTick(() => {
            seen.push(`next tick: ${JSON.stringify(pooledSockets(agent))}`);
            resolve();
          });
        });
        res.resume();
      }).on('error', reject);
    });

    expect(seen).toEqual(['end: {"busy":1,"free":0}', 'agent free', 'next tick: {"busy":0,"free":1}']);
  });

  it("a request issued synchronously inside the 'end' handler opens a second connection", async () => {
    const { srv, second } = await secondRequestAfter(sync);

    expect(srv.distinctPeerPorts()).toBe(2);
    expect(srv.connections).toHaveLength(2);
    expect(second.reused).toBe(false);
  });

  it.each(modernIdioms)('a request issued %s reuses the connection', async (_name, idiom) => {
    const { srv, second } = await secondRequestAfter(idiom);

    expect(srv.distinctPeerPorts()).toBe(1);
    expect(srv.connections).toHaveLength(1);
    expect(second.reused).toBe(true);
  });
});
