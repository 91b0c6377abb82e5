/**
 * Rule http2-streams: HTTP/2 multiplexes. Overlapped requests on one HTTP/2
 * session travel as concurrent streams on one TCP connection — the
 * counter-case to HTTP/1.1's "serial, not overlapped" (there, every
 * overlapped request needs its own connection). A second session is a
 * second connection.
 *
 * Source: RFC 9113 §5 (streams and multiplexing); the seed ("requests must
 * be serial, not overlapped" — true of HTTP/1.1 only); Node docs, http2.
 * Versions: the same on every release from 18.14.0 to 26.10.0.
 */
import type { ServerHttp2Stream } from 'node:http2';
import { connectHttp2, http2Get, startHttp2Server } from '../helpers/http2';
import { startServer } from '../helpers/server';
import { request } from '../helpers/client';
import { keepAliveAgent } from '../helpers/agents';
import { holdResponses } from '../helpers/hold';
import { within } from '../helpers/wait';

/** An h2c server that holds every stream until `count` are open at once, then answers all. */
async function serverAnsweringWhenOpen(count: number) {
  const open: ServerHttp2Stream[] = [];
  return startHttp2Server((stream) => {
    open.push(stream);
    if (open.length === count) for (const s of open) s.respond({ ':status': 200 }), s.end('ok');
  });
}

describe('HTTP/2 carries overlapped requests as streams on one connection', () => {
  it('10 overlapped requests on one session are 10 concurrent streams on 1 TCP connection', async () => {
    const srv = await serverAnsweringWhenOpen(10);
    const session = await connectHttp2(srv.origin);
    // The server answers only once all 10 streams are open at the same time.
    const bodies = await within(2_000, 'ten streams answered', Promise.all(Array.from({ length: 10 }, () => http2Get(session))));

    expect(bodies).toEqual(Array(10).fill('ok'));
    expect(srv.connections).toHaveLength(1);
    expect(srv.sessions).toHaveLength(1);
    expect(new Set(srv.streamPeerPorts).size).toBe(1);
  });

  it('the same 10 overlapped requests over HTTP/1.1, through one keep-alive agent, need 10 connections', async () => {
    const hold = holdResponses();
    const srv = await startServer({ handler: hold.handler });
    const agent = keepAliveAgent();
    const all = Promise.all(Array.from({ length: 10 }, () => request(srv, { agent })));
    await within(2_000, 'ten requests arriving', hold.arrived(10));
    hold.releaseAll();
    await all;

    expect(srv.connections).toHaveLength(10);
  });

  it('two HTTP/2 sessions to one server are two TCP connections', async () => {
    const srv = await startHttp2Server((stream) => (stream.respond({ ':status': 200 }), stream.end('ok')));
    await http2Get(await connectHttp2(srv.origin));
    await http2Get(await connectHttp2(srv.origin));

    expect(srv.connections).toHaveLength(2);
    expect(new Set(srv.streamPeerPorts).size).toBe(2);
  });
});
