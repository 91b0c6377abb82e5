/**
 * Rule fetch-unconsumed-body: an unread fetch() body pins its connection
 * only if the body is too large to arrive whole: a 1 KiB body that nobody
 * reads is taken off the wire anyway and the connection is reused; a
 * 4 MiB one stalls in flow control and the next fetch needs a new
 * connection. `res.body.cancel()` on a body still arriving destroys the
 * connection (the server sees it close); on a body already received it
 * changes nothing.
 *
 * Source: the seed ("the body must be consumed"), for fetch; WHATWG Streams
 * (cancel); measured: Node's boundary lies between 16 KiB (pins on some
 * releases, not on others) and 64 KiB (pins everywhere). The large body is
 * 4 MiB, far beyond what any client measured here reads ahead on its own
 * (Bun 1.4.5 takes 512 KiB of an unread body off the wire, not 768 KiB): at 256 KiB
 * a read-ahead client's result depended on whether the body had arrived
 * within one macrotask, which under load it sometimes had not.
 * Versions: the same on every release for the sizes used here, except
 * cancel() on undici 6.6.2 – 6.11.1 (Node 21.7.x, 22.0.0; FETCH_CANCEL_DESTROYS),
 * which leaves the cancelled connection open and unusable.
 */
import { startServer } from '../helpers/server';
import { within, emitsWithin } from '../helpers/wait';
import { byRelease } from '../helpers/versions';
import { FETCH_CANCEL_DESTROYS } from '../helpers/release-gates';
import { setImmediate } from 'node:timers/promises';

const SMALL = 1024;
const LARGE = 4 * 1024 * 1024;
const LARGE_LABEL = '4 MiB';

/** A server answering every request with `size` bytes. */
const serverSending = (size: number) =>
  startServer({ handler: (req, res) => (req.resume(), res.end('x'.repeat(size))) });

const macrotask = () => setImmediate();

describe('an unread fetch() body and its connection', () => {
  it('a 1 KiB body left unread does not pin the connection: the next fetch reuses it', async () => {
    const srv = await serverSending(SMALL);
    const unread = await fetch(`${srv.origin}/`);
    await macrotask();
    await (await fetch(`${srv.origin}/`)).text();

    expect(srv.connections).toHaveLength(1);
    await unread.body?.cancel();
  });

  it(`a ${LARGE_LABEL} body left unread pins the connection: the next fetch opens another`, async () => {
    const srv = await serverSending(LARGE);
    const unread = await fetch(`${srv.origin}/`);
    await macrotask();
    await (await fetch(`${srv.origin}/`)).arrayBuffer();

    expect(srv.requests.map((r) => r.connection)).toEqual([1, 2]);
    await unread.body?.cancel();
  });

  byRelease([
    {
      on: FETCH_CANCEL_DESTROYS.yes,
      title: `res.body.cancel() on a ${LARGE_LABEL} body still arriving destroys its connection; the next fetch connects anew`,
      test: async () => {
        const srv = await serverSending(LARGE);
        const response = await fetch(`${srv.origin}/`);
        await response.body!.cancel();
        await within(1_000, 'server seeing the connection close', srv.closed(1));
        await (await fetch(`${srv.origin}/`)).arrayBuffer();

        expect(srv.requests).toHaveLength(2);
        expect(srv.requests[1]!.connection).not.toBe(1);
      },
    },
    {
      on: FETCH_CANCEL_DESTROYS.no,
      title: `res.body.cancel() on a ${LARGE_LABEL} body still arriving leaves its connection open but unusable; the next fetch connects anew`,
      test: async () => {
        const srv = await serverSending(LARGE);
        const response = await fetch(`${srv.origin}/`);
        await response.body!.cancel();
        await (await fetch(`${srv.origin}/`)).arrayBuffer();

        expect(srv.requests).toHaveLength(2);
        expect(srv.requests[1]!.connection).not.toBe(1);
        expect(await emitsWithin(srv.connections[0]!, 'close', 300)).toBe(false);
      },
    },
  ]);

  it('res.body.cancel() on a 1 KiB body already received leaves the connection pooled', async () => {
    const srv = await serverSending(SMALL);
    const response = await fetch(`${srv.origin}/`);
    await response.body!.cancel();
    await macrotask();
    await (await fetch(`${srv.origin}/`)).text();

    expect(srv.connections).toHaveLength(1);
  });
});
