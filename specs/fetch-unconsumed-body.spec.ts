/**
 * Rule fetch-unconsumed-body: an unread fetch() body pins its connection
 * only if the body is too large to arrive whole: a 1 KiB body that nobody
 * reads is taken off the wire anyway and the connection is reused; a
 * 256 KiB one stalls in flow control and the next fetch needs a new
 * connection. `res.body.cancel()` on a body still arriving destroys the
 * connection (the server sees it close); on a body already received it
 * changes nothing.
 *
 * Source: the seed ("the body must be consumed"), for fetch; WHATWG Streams
 * (cancel); measured: the boundary lies between 16 KiB (pins on Node 20,
 * not on 18/22/24/26) and 64 KiB (pins everywhere).
 * Versions: the same on every Node major for the sizes used here.
 */
import { startServer } from '../helpers/server';
import { within } from '../helpers/wait';

const SMALL = 1024;
const LARGE = 256 * 1024;

/** A server answering every request with `size` bytes. */
const serverSending = (size: number) =>
  startServer({ handler: (req, res) => (req.resume(), res.end('x'.repeat(size))) });

const macrotask = () => new Promise((resolve) => setImmediate(resolve));

describe('an unread fetch() body and its connection', () => {
  it('a 1 KiB body left unread does not pin the connection: the next fetch reuses it', async () => {
    const srv = await serverSending(SMALL);
    const unread = await fetch(`${srv.origin}/`);
    await macrotask();
    await (await fetch(`${srv.origin}/`)).text();

    expect(srv.connections).toHaveLength(1);
    await unread.body?.cancel();
  });

  it('a 256 KiB body left unread pins the connection: the next fetch opens another', async () => {
    const srv = await serverSending(LARGE);
    const unread = await fetch(`${srv.origin}/`);
    await macrotask();
    await (await fetch(`${srv.origin}/`)).arrayBuffer();

    expect(srv.requests.map((r) => r.connection)).toEqual([1, 2]);
    await unread.body?.cancel();
  });

  it('res.body.cancel() on a 256 KiB body still arriving destroys its connection; the next fetch connects anew', async () => {
    const srv = await serverSending(LARGE);
    const response = await fetch(`${srv.origin}/`);
    await response.body!.cancel();
    await within(1_000, 'server seeing the connection close', srv.closed(1));
    await (await fetch(`${srv.origin}/`)).arrayBuffer();

    expect(srv.distinctPeerPorts()).toBe(2);
    expect(srv.requests[1]!.connection).not.toBe(1);
  });

  it('res.body.cancel() on a 1 KiB body already received leaves the connection pooled', async () => {
    const srv = await serverSending(SMALL);
    const response = await fetch(`${srv.origin}/`);
    await response.body!.cancel();
    await macrotask();
    await (await fetch(`${srv.origin}/`)).text();

    expect(srv.connections).toHaveLength(1);
  });
});
