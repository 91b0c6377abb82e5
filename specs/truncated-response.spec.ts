/**
 * Rule truncated-response: when a kept-alive connection closes before the
 * body announced by Content-Length has arrived, the response emits 'error'
 * (ECONNRESET "aborted") — no 'end', no crash — and the agent does not reuse
 * that connection: the next request opens a new one.
 *
 * Source: RFC 9112 §8 ("A client that receives an incomplete response
 * message, which can occur when a connection is closed prematurely …, MUST
 * record the message as incomplete");
 * Node docs, `http.IncomingMessage` ('aborted' deprecated in favour of 'error').
 * Versions: the same on every release from 18.14.0 to 26.10.0.
 */
import type { Socket } from 'node:net';
import { request } from '../helpers/client';
import { keepAliveAgent } from '../helpers/agents';
import { onRequestHeads, rawResponse, startRawServer } from '../helpers/raw';

/** Connection 1 announces 10 bytes, sends 5, and closes; later ones answer fully. */
function truncatingServer() {
  return startRawServer((socket: Socket, connection) => {
    onRequestHeads(socket, () => {
      if (connection > 0) return void socket.write(rawResponse('complete'));
      socket.end('HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Length: 10\r\n\r\nhello');
    });
  });
}

describe('a response cut short mid-body', () => {
  it('emits error ECONNRESET "aborted" instead of end', async () => {
    const srv = await truncatingServer();
    const attempt = request({ port: srv.port }, { agent: keepAliveAgent() });

    await expect(attempt).rejects.toMatchObject({ code: 'ECONNRESET', message: 'aborted' });
  });

  it('is not followed by reuse: the next request through the same agent opens a new connection', async () => {
    const srv = await truncatingServer();
    const agent = keepAliveAgent();
    await request({ port: srv.port }, { agent }).catch(() => undefined);
    const next = await request({ port: srv.port }, { agent });

    expect(next.body).toBe('complete');
    expect(next.reused).toBe(false);
    expect(srv.connections).toHaveLength(2);
  });

  it('a complete response on the same kind of connection ends normally and is reused (the reference case)', async () => {
    const srv = await startRawServer((socket) => onRequestHeads(socket, () => socket.write(rawResponse('0123456789'))));
    const agent = keepAliveAgent();
    const first = await request({ port: srv.port }, { agent });
    const next = await request({ port: srv.port }, { agent });

    expect(first.body).toBe('0123456789');
    expect(next.reused).toBe(true);
    expect(srv.connections).toHaveLength(1);
  });
});
