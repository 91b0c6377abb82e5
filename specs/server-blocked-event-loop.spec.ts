/**
 * Rule server-blocked-event-loop: when a Node server's event loop is blocked
 * past its idle window, a request that reached the connection meanwhile is
 * lost: after the block Node runs the expired idle timer before it reads the
 * socket, so it destroys the connection with the request unread (the client
 * gets a reset, ECONNRESET), where an idle neighbour without a request gets
 * a plain FIN. What saves a request is the buffer the server adds to
 * keepAliveTimeout (+1000 ms, or keepAliveTimeoutBuffer): a block past
 * keepAliveTimeout but inside the buffer leaves the connection open, and the
 * request is served on it. Before the buffer, a block past keepAliveTimeout
 * loses it.
 *
 * Source: Node's test-http-keep-alive-timeout-race-condition.js (blocks the
 * loop for keepAliveTimeout, 2 s; came with the buffer, PR #54863); libuv's
 * loop order (timers before poll); measured with a raw client whose request
 * bytes are in the kernel before the block starts.
 * Versions (SERVER_IDLE_CLOSE in helpers/release-gates.ts): the buffer since
 * 20.18.0, 22.9.0 and 23.0.0; an option since 22.19.0 and 24.6.0.
 */
import { startServer } from '../helpers/server';
import { openRaw, type RawConnection } from '../helpers/raw';
import { byRelease } from '../helpers/versions';
import { SERVER_IDLE_CLOSE } from '../helpers/release-gates';
import { idleCloseMs, shortIdle } from '../helpers/node-server';
import { within } from '../helpers/wait';
import { GET_HTTP11 } from '../fixtures/messages';

/** Block this thread (and so the server's event loop) for `ms`. */
function blockEventLoop(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** How the peer ended the connection: 'reset' (RST), 'fin', or still 'open' after `ms`. */
function howClosed(raw: RawConnection, ms: number): Promise<'reset' | 'fin' | 'open'> {
  return new Promise((resolve) => {
    raw.socket.once('error', () => resolve('reset'));
    raw.socket.once('end', () => resolve('fin'));
    setTimeout(() => resolve('open'), ms).unref();
  });
}

/**
 * A raw connection that got one response, then sends its second request just
 * before the server's loop is blocked for `blockMs`.
 */
async function requestDuringBlock(port: number, blockMs: number): Promise<RawConnection> {
  const raw = await openRaw(port);
  raw.send(GET_HTTP11);
  await raw.readResponse();
  raw.send(GET_HTTP11); // in the server's kernel buffer before the block
  blockEventLoop(blockMs);
  return raw;
}

/**
 * keepAliveTimeout 100 ms (no less: the second request must reach the server
 * before its idle timer fires, on a loaded machine too); the loop blocked
 * 200 ms: past the timeout, inside any 1 s buffer.
 */
const KEEP_ALIVE = 100;
const BLOCK = 200;

describe("a request that arrives while the server's event loop is blocked", () => {
  const servedInsideBuffer = async () => {
    const srv = await startServer({ keepAliveTimeout: KEEP_ALIVE });
    expect(idleCloseMs(srv.server)).toBeGreaterThan(BLOCK + 500); // the buffer covers the block
    const raw = await requestDuringBlock(srv.port, BLOCK);

    expect((await raw.readResponse()).status).toBe(200);
    expect(srv.requests.map((r) => r.connection)).toEqual([1, 1]);
  };

  byRelease([
    {
      on: SERVER_IDLE_CLOSE.atTimeout,
      title: 'blocked past keepAliveTimeout (no buffer on this release): the request is lost, the server resets the connection',
      test: async () => {
        const srv = await startServer({ keepAliveTimeout: KEEP_ALIVE });
        expect(idleCloseMs(srv.server)).toBe(KEEP_ALIVE);
        const raw = await requestDuringBlock(srv.port, BLOCK);

        expect(await howClosed(raw, 2_000)).toBe('reset');
        expect(srv.requests).toHaveLength(1); // the handler never saw the second
      },
    },
    {
      on: SERVER_IDLE_CLOSE.fixedBuffer,
      title: 'blocked past keepAliveTimeout but inside the fixed 1 s buffer: the request is served on the same connection',
      test: servedInsideBuffer,
    },
    {
      on: SERVER_IDLE_CLOSE.bufferOption,
      title: 'blocked past keepAliveTimeout but inside keepAliveTimeoutBuffer (1 s by default): the request is served on the same connection',
      test: servedInsideBuffer,
    },
  ]);

  it('blocked past the whole idle window: the connection with a request waiting is reset; its idle neighbour gets a FIN', async () => {
    // A window of about 100 ms (1001 ms where the buffer is fixed), blocked 100 ms longer.
    const srv = await startServer(shortIdle(100));
    const window = idleCloseMs(srv.server);
    const [waiting, idle] = [await openRaw(srv.port), await openRaw(srv.port)];
    waiting.send(GET_HTTP11);
    idle.send(GET_HTTP11);
    await Promise.all([waiting.readResponse(), idle.readResponse()]);
    waiting.send(GET_HTTP11);
    blockEventLoop(window + 100);
    const [waitingEnd, idleEnd] = await within(3_000, 'both connections closing', Promise.all([howClosed(waiting, 2_000), howClosed(idle, 2_000)]));

    expect(waitingEnd).toBe('reset');
    expect(idleEnd).toBe('fin');
    expect(srv.requests).toHaveLength(2); // the two first requests; the waiting one was never read
  });
});
