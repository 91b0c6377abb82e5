/**
 * Rule fetch-excess-bytes: fetch() (Node's bundled undici) never reuses a
 * connection that carried bytes beyond a response's Content-Length. The
 * response itself is read to its declared length (the fetch gets "ok" from
 * `Content-Length: 2` + `okXX`); the bytes after it, whether they came in the
 * same write or later while the connection sat idle in the pool, make
 * undici's parser fail with no request to blame, and undici closes the
 * connection at once (the server sees the client's FIN): the next fetch
 * connects anew and succeeds. Only bytes that arrive after the next request
 * already went out on that connection are read as the start of its response:
 * that fetch fails ("fetch failed", cause HTTPParserError), the connection is
 * closed, and the fetch after it connects anew. A response of exactly its
 * Content-Length leaves the connection pooled.
 *
 * Node's http.Agent differs (stray-bytes-on-idle-socket): bytes in the same
 * write make the request emit 'error' HPE_INVALID_CONSTANT after a complete
 * response, on every release; bytes on the idle socket are dropped and the
 * socket reused before 22.23.0, 24.17.0, 26.3.1 (STRAY_BYTES_CLOSE_IDLE_SOCKET).
 *
 * Source: undici test/issue-810.js (excess bytes after `Content-Length: 1`:
 * the pipelined request behind it fails with HTTPParserError, the response
 * itself ends normally); RFC 9112 §6.3 (a client must not process extra data
 * after a complete response as a separate response); measured with a raw
 * server.
 * Versions: the same on every release probed, 18.14.0 (undici 5.14.0),
 * 20.20.2, 22.23.5, 23.11.1, 24.22.3, 26.12.1 (undici 8.12.2). Only the
 * parser's message differs ("Expected HTTP/", later "… (Expected HTTP/, RTSP/
 * or ICE/)"), and undici 7 and 8 give the cause no `code` (HPE_INVALID_CONSTANT
 * before).
 */
import type { Socket } from 'node:net';
import { setImmediate } from 'node:timers/promises';
import { onRequestHeads, rawResponse, startRawServer } from '../helpers/raw';
import { within } from '../helpers/wait';

/**
 * A raw server; `answer` writes the response to request `n` (0-based) of
 * connection `conn`. `seen` lists every request as "conn N: path";
 * `clientEnded[i]` resolves when the client ends connection i (its FIN).
 */
async function rawOrigin(answer: (socket: Socket, conn: number, n: number) => void) {
  const seen: string[] = [];
  const sockets: Socket[] = [];
  const clientEnded: Array<Promise<void>> = [];
  const srv = await startRawServer((socket, conn) => {
    sockets.push(socket);
    clientEnded.push(new Promise((resolve) => socket.once('end', () => resolve())));
    onRequestHeads(socket, (head, n) => {
      seen.push(`conn ${conn + 1}: ${head.split(' ')[1]}`);
      answer(socket, conn, n);
    });
  });
  const get = async (path: string) => (await fetch(`http://127.0.0.1:${srv.port}${path}`)).text();
  return { seen, sockets, clientEnded, get };
}

const OK = rawResponse('ok'); // Content-Length: 2

describe('fetch() never reuses a connection that carried bytes beyond a response\'s Content-Length', () => {
  it('bytes in the same write as the body: the fetch reads its declared "ok", fetch closes the connection at once, the next fetch connects anew and succeeds', async () => {
    const origin = await rawOrigin((socket, conn, n) => socket.write(conn === 0 && n === 0 ? `${OK}XX` : OK));

    expect(await origin.get('/first')).toBe('ok');
    await within(1_000, 'the client ending connection 1', origin.clientEnded[0]!);
    expect(await origin.get('/second')).toBe('ok');

    expect(origin.seen).toEqual(['conn 1: /first', 'conn 2: /second']);
  });

  it('bytes in a later write, on the idle pooled connection: fetch closes it, the next fetch connects anew and succeeds', async () => {
    const origin = await rawOrigin((socket) => socket.write(OK));

    expect(await origin.get('/first')).toBe('ok');
    await setImmediate(); // the connection is back in undici's pool (fetch-serial-reuse)
    origin.sockets[0]!.write('XX');
    await within(1_000, 'the client ending connection 1', origin.clientEnded[0]!);
    expect(await origin.get('/second')).toBe('ok');

    expect(origin.seen).toEqual(['conn 1: /first', 'conn 2: /second']);
  });

  it('bytes that arrive only after the next request went out on the connection are read as its response: that fetch fails with HTTPParserError, the one after connects anew', async () => {
    // The late bytes reach the client once the second request is on the wire, then a valid response follows.
    const origin = await rawOrigin((socket, conn, n) => socket.write(conn === 0 && n === 1 ? `XX${OK}` : OK));

    expect(await origin.get('/first')).toBe('ok');
    await setImmediate();
    // An error of Node's realm, not the test's: matched by name and message.
    await expect(origin.get('/second')).rejects.toMatchObject({
      name: 'TypeError',
      message: 'fetch failed',
      cause: { name: 'HTTPParserError', message: expect.stringMatching(/Expected HTTP\//) },
    });
    await within(1_000, 'the client ending connection 1', origin.clientEnded[0]!);
    await setImmediate();
    expect(await origin.get('/third')).toBe('ok');

    expect(origin.seen).toEqual(['conn 1: /first', 'conn 1: /second', 'conn 2: /third']);
  });

  it('counter-case: a response of exactly its Content-Length leaves the connection pooled; the next fetch reuses it', async () => {
    const origin = await rawOrigin((socket) => socket.write(OK));

    expect(await origin.get('/first')).toBe('ok');
    await setImmediate();
    expect(await origin.get('/second')).toBe('ok');

    expect(origin.seen).toEqual(['conn 1: /first', 'conn 1: /second']);
  });
});
