/**
 * Rule server-half-close: a client that half-closes (sends its FIN) right
 * after a keep-alive request still gets the response when the handler
 * answers before the server has read that FIN; the server then ends the
 * connection itself (a FIN after the response, though the response said
 * `Connection: keep-alive`). A handler that answers only after the FIN was
 * read is too late: by default (`server.httpAllowHalfOpen` false) the server
 * ends its side at the client's FIN, and the response is never written
 * (`res` emits 'close' without 'finish'). With `httpAllowHalfOpen = true` the
 * late response is written, and the server ends the connection after it.
 *
 * Source: Node's test-http-server-keepalive-end.js (the answering-at-once
 * case); lib/_http_server.js socketOnEnd; RFC 9293 §3.6 (a half-closed
 * connection can still carry data the other way); measured. Where Node
 * differs from what TCP allows: the late answer could still be sent, and is
 * not unless the (undocumented) httpAllowHalfOpen is set.
 * Versions: the same on every release probed from 18.14.0 to 26.12.1.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startServer } from '../helpers/server';
import { openRaw } from '../helpers/raw';
import { within } from '../helpers/wait';
import { POST_HELLO } from '../fixtures/messages';

/** What became of the response: written to its end, or closed before. */
function fate(res: ServerResponse): Promise<'finished' | 'closed unfinished'> {
  return new Promise((resolve) => {
    res.once('finish', () => resolve('finished'));
    res.once('close', () => resolve(res.writableFinished ? 'finished' : 'closed unfinished'));
  });
}

/** A keep-alive POST and the client's FIN right after it, in one go. */
const KEEP_ALIVE_POST = POST_HELLO.replace('Content-Length: 5', 'Connection: keep-alive\r\nContent-Length: 5');

type Answer = 'at once' | 'after the FIN';

/** A server answering each request at once, or only once its socket has seen the client's FIN. */
async function halfCloseAgainst(answer: Answer, allowHalfOpen = false) {
  const responses: Array<Promise<'finished' | 'closed unfinished'>> = [];
  const srv = await startServer({
    handler: (req: IncomingMessage, res: ServerResponse) => {
      responses.push(fate(res));
      req.resume();
      if (answer === 'at once') res.end('answer');
      // Registered after the server's own 'end' listener, so it runs after the server reacted to the FIN.
      else req.socket.once('end', () => res.end('answer'));
    },
  });
  (srv.server as typeof srv.server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = allowHalfOpen;
  const raw = await openRaw(srv.port);
  raw.socket.end(KEEP_ALIVE_POST, 'latin1'); // the request, then our FIN
  await within(2_000, 'connection closing', raw.closed);
  return { srv, raw, response: await within(1_000, 'response settling', responses[0]!) };
}

describe('a client that half-closes right after its request', () => {
  it('gets the response when the handler answers at once; the server then ends the connection', async () => {
    const { srv, raw, response } = await halfCloseAgainst('at once');

    expect(response).toBe('finished');
    const got = await raw.readResponse();
    expect(got.body).toBe('answer');
    expect(got.headers.connection).toEqual(['keep-alive']); // said keep-alive, closed anyway
    expect(raw.socket.readableEnded).toBe(true); // a FIN, not a reset
    expect(srv.requests).toHaveLength(1);
  });

  it('gets nothing when the handler answers after the server read the FIN: the response is closed unfinished', async () => {
    const { srv, raw, response } = await halfCloseAgainst('after the FIN');

    expect(response).toBe('closed unfinished');
    expect(raw.pending()).toBe('');
    expect(srv.requests).toHaveLength(1); // the request did reach the handler
  });

  it('with server.httpAllowHalfOpen = true the late answer is written, then the server ends the connection', async () => {
    const { raw, response } = await halfCloseAgainst('after the FIN', true);

    expect(response).toBe('finished');
    expect((await raw.readResponse()).body).toBe('answer');
    expect(raw.socket.readableEnded).toBe(true);
  });
});
