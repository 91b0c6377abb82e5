/**
 * Rule apache-keep-alive-header: Apache httpd answers a client that sends
 * `Connection: keep-alive` (as Node's agent and fetch() do) with
 * `Keep-Alive: timeout=N, max=M` — `timeout=` first, N = KeepAliveTimeout in
 * seconds, and `max` counted down by one per request on the connection. The
 * response that uses the last one says `Connection: close`, and Apache closes:
 * MaxKeepAliveRequests M allows M + 1 requests per connection. A client that
 * sends no Connection header gets no Keep-Alive header, yet the same
 * persistence. Node's agent and fetch() follow `Connection: close` and open
 * a new connection; neither reads `max`. A hint of `timeout=1` makes a Node
 * agent that subtracts its 1 s buffer stop pooling: every request pays a new
 * connection.
 *
 * Source: the seed's Q&A (IIS's `Keep-Alive: timeout=15, max=100`); Apache
 * docs, KeepAlive, MaxKeepAliveRequests, KeepAliveTimeout; RFC 9112 §9.6;
 * Node docs, `http.Agent`.
 * Peer: Apache httpd (event MPM). Evidence: Apache's own access log, with the
 * client port (%{remote}p) and the keep-alive request count (%k).
 */
import { startApache } from '../helpers/peers';
import { request, serially } from '../helpers/client';
import { keepAliveAgent } from '../helpers/agents';
import { openRaw } from '../helpers/raw';
import { byRelease } from '../helpers/versions';
import { AGENT_HINT } from '../helpers/release-gates';
import { setImmediate } from 'node:timers/promises';

const FOUR_PER_CONNECTION = 'KeepAlive On\nMaxKeepAliveRequests 3\nKeepAliveTimeout 5';

describe("Apache's Keep-Alive header, and what Node clients do with it", () => {
  it('max counts down per request (3, 2, 1); the fourth response says Connection: close and Apache closes', async () => {
    const apache = await startApache({ directives: FOUR_PER_CONNECTION });
    const agent = keepAliveAgent();
    const results = await serially(5, () => request(apache, { agent, path: '/index.html' }));
    const log = await apache.logged(5);

    expect(results.map((r) => r.headers['keep-alive'] ?? `Connection: ${r.headers.connection}`)).toEqual([
      'timeout=5, max=3',
      'timeout=5, max=2',
      'timeout=5, max=1',
      'Connection: close',
      'timeout=5, max=3',
    ]);
    // Apache's log: four requests on one client port (%k 0..3), then a new connection.
    expect(log.map((l) => l.onConnection)).toEqual([0, 1, 2, 3, 0]);
    expect(new Set(log.slice(0, 4).map((l) => l.peerPort)).size).toBe(1);
    expect(log[4]!.peerPort).not.toBe(log[0]!.peerPort);
    expect(results.map((r) => r.reused)).toEqual([false, true, true, true, false]);
  });

  it('a client that sends no Connection header gets no Keep-Alive header, and the connection persists all the same', async () => {
    const apache = await startApache({ directives: FOUR_PER_CONNECTION });
    const raw = await openRaw(apache.port);
    raw.send('GET /index.html HTTP/1.1\r\nHost: localhost\r\n\r\n');
    const first = await raw.readResponse();
    raw.send('GET /index.html HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await raw.readResponse();
    const log = await apache.logged(2);

    expect(first.headers['keep-alive']).toBeUndefined();
    expect(first.headers.connection).toBeUndefined();
    expect(log.map((l) => l.onConnection)).toEqual([0, 1]);
    expect(log[1]!.peerPort).toBe(log[0]!.peerPort);
  });

  it('fetch() reuses the connection until Connection: close, then opens a new one (it does not read max)', async () => {
    const apache = await startApache({ directives: FOUR_PER_CONNECTION });
    const answers: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${apache.origin}/index.html`);
      await res.text();
      answers.push(res.headers.get('keep-alive') ?? `Connection: ${res.headers.get('connection')}`);
      await setImmediate(); // fetch frees the connection a macrotask later (see fetch-serial-reuse)
    }
    const log = await apache.logged(5);

    expect(answers[3]).toBe('Connection: close');
    expect(log.map((l) => l.onConnection)).toEqual([0, 1, 2, 3, 0]);
    expect(new Set(log.map((l) => l.peerPort)).size).toBe(2);
  });

  /** Three serial requests through a plain keep-alive agent to Apache with KeepAliveTimeout 1. */
  const threeWithTimeoutOne = async () => {
    const apache = await startApache({ directives: 'KeepAlive On\nMaxKeepAliveRequests 100\nKeepAliveTimeout 1' });
    const agent = keepAliveAgent();
    const results = await serially(3, () => request(apache, { agent, path: '/index.html' }));
    const log = await apache.logged(3);
    expect(results[0]!.headers['keep-alive']).toBe('timeout=1, max=100');
    return log;
  };
  byRelease([
    {
      on: AGENT_HINT.withBuffer,
      title: 'with KeepAliveTimeout 1 Apache says "timeout=1", and a keep-alive agent never reuses a connection: each request a new one',
      test: async () => {
        const log = await threeWithTimeoutOne();

        expect(log.map((l) => l.onConnection)).toEqual([0, 0, 0]);
        expect(new Set(log.map((l) => l.peerPort)).size).toBe(3);
      },
    },
    {
      on: AGENT_HINT.withoutBuffer,
      title: 'with KeepAliveTimeout 1 Apache says "timeout=1", and a keep-alive agent still reuses the connection',
      test: async () => {
        const log = await threeWithTimeoutOne();

        expect(log.map((l) => l.onConnection)).toEqual([0, 1, 2]);
        expect(new Set(log.map((l) => l.peerPort)).size).toBe(1);
      },
    },
  ]);
});
