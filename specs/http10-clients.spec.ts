/**
 * Rule http10-clients: an HTTP/1.0 request is not persistent unless it asks
 * with `Connection: keep-alive`, and even then a Node server keeps the
 * connection only if the response carries a Content-Length the handler set
 * itself: HTTP/1.0 has no chunked encoding, so a response of unknown length
 * must end by closing the connection. `res.end(data)` alone is not enough.
 *
 * Source: RFC 9112 §9.3 and Appendix C.2.2 (HTTP/1.0 keep-alive); RFC 9112
 * §6.3 (message body length); measured.
 * Versions: the same on every release from 18.14.0 to 26.10.0. Node answers with an HTTP/1.1
 * status line either way.
 */
import { startServer } from '../helpers/server';
import { openRaw } from '../helpers/raw';
import { within } from '../helpers/wait';
import { GET_HTTP10, GET_HTTP10_KEEP_ALIVE } from '../fixtures/messages';

/** Answers "ok"; with a Content-Length header only when asked to. */
const startOkServer = (setLength: boolean) =>
  startServer({
    handler: (req, res) => {
      req.resume();
      if (setLength) res.setHeader('Content-Length', 2);
      res.end('ok');
    },
  });

describe('HTTP/1.0 clients get a persistent connection only when they ask and the length is known', () => {
  it('an HTTP/1.0 request without Connection: keep-alive is answered Connection: close and the server closes', async () => {
    const srv = await startOkServer(true);
    const raw = await openRaw(srv.port);
    raw.send(GET_HTTP10);
    const response = await raw.readResponse();
    await within(1_000, 'server closing the connection', raw.closed);

    expect(response.headers.connection).toEqual(['close']);
  });

  it('an HTTP/1.0 keep-alive request whose response has a Content-Length set by the handler is kept alive', async () => {
    const srv = await startOkServer(true);
    const raw = await openRaw(srv.port);
    raw.send(GET_HTTP10_KEEP_ALIVE);
    const response = await raw.readResponse();
    raw.send(GET_HTTP10_KEEP_ALIVE);
    await raw.readResponse();

    expect(response.headers['content-length']).toEqual(['2']);
    expect(response.headers.connection).toEqual(['keep-alive']);
    expect(response.headers['keep-alive']).toEqual(['timeout=5']);
    expect(srv.distinctPeerPorts()).toBe(1);
    expect(raw.isClosed()).toBe(false);
  });

  it('an HTTP/1.0 keep-alive request answered with res.end(data) alone gets no length, Connection: close, and a closed connection', async () => {
    const srv = await startOkServer(false);
    const raw = await openRaw(srv.port);
    raw.send(GET_HTTP10_KEEP_ALIVE);
    await within(1_000, 'server closing the connection', raw.closed);
    const response = await raw.readResponse();

    expect(response.headers['content-length']).toBeUndefined();
    expect(response.headers.connection).toEqual(['close']);
    expect(response.body).toBe('ok');
  });
});
