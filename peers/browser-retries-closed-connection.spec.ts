/**
 * Rule browser-retries-closed-connection: when a server closes a kept-alive
 * connection just as the browser reuses it (the request is lost without a
 * byte of response), Chromium sends the request again on a new connection —
 * GET and POST alike — and the page never sees the failure. The same loss on
 * a fresh connection is not retried: the page's fetch() fails. Node's agent
 * leaves the retry to you (see reset-race).
 *
 * Source: RFC 9112 §9.3.1 (a client MAY retry a request lost on a reused
 * connection; non-idempotent ones only if it knows they were not processed);
 * Chromium's HttpNetworkTransaction (retries a request whose reused socket
 * closed before any response byte). Probed before written: Chromium 156
 * retried both methods.
 * Peer: Chromium. Evidence: the requests, connections and client ports the
 * Node server saw.
 */
import { startServer, dropFirstReused } from '../helpers/server';
import { openBrowser } from '../helpers/browser';
import { shortIdle, idleCloseMs } from '../helpers/node-server';
import { within } from '../helpers/wait';

/** A page whose script fetches /a, then /b, with `method`; the first /b on a used connection is dropped. */
const pageFetchingAThenB = (method: string) =>
  dropFirstReused(
    '/b',
    `<!doctype html><link rel="icon" href="data:,"><script>
      window.result = (async () => {
        const a = await (await fetch('/a', { method: '${method}' })).text();
        try { return a + ' ' + (await (await fetch('/b', { method: '${method}' })).text()); }
        catch (e) { return a + ' failed: ' + e.message; }
      })();</script>`,
  );

async function pageResult(url: string): Promise<string> {
  const { context } = await openBrowser();
  const tab = await context.newPage();
  await tab.goto(url);
  return String(await tab.evaluate('window.result'));
}

describe('a browser retries a request lost on a reused connection', () => {
  it.each(['GET', 'POST'])('a %s lost on a reused connection is sent again on a new one, and the page gets its response', async (method) => {
    const srv = await startServer({ handler: pageFetchingAThenB(method) });
    const result = await pageResult(`${srv.origin}/`);

    expect(result).toBe('/a ok /b ok');
    expect(srv.requests.map((r) => `${r.method} ${r.url} #${r.connection}`)).toEqual([
      'GET / #1',
      `${method} /a #1`,
      `${method} /b #1`, // dropped: no response
      `${method} /b #2`, // the browser's own retry
    ]);
    expect(srv.connections).toHaveLength(2);
  });

  it('a connection the server closed while idle is not reused at all: the next request goes on a new connection, no retry needed', async () => {
    const srv = await startServer({
      ...shortIdle(100),
      handler: (req, res) => {
        req.resume();
        if (req.url !== '/') return void res.end(`${req.url} ok`);
        res.setHeader('Content-Type', 'text/html');
        res.end(`<!doctype html><link rel="icon" href="data:,"><script>
          window.next = () => fetch('/b').then((r) => r.text());
          window.first = fetch('/a').then((r) => r.text());</script>`);
      },
    });
    const { context } = await openBrowser();
    const tab = await context.newPage();
    await tab.goto(`${srv.origin}/`);
    expect(await tab.evaluate('window.first')).toBe('/a ok');
    await within(idleCloseMs(srv.server) + 2_000, 'the server closing the idle connection', srv.closed(1));
    expect(await tab.evaluate('window.next()')).toBe('/b ok');

    expect(srv.requests.map((r) => `${r.url} #${r.connection}`)).toEqual(['/ #1', '/a #1', '/b #2']);
  });

  it('the same loss on a fresh connection is not retried: the page sees "Failed to fetch"', async () => {
    // /b goes to another origin, so it travels on a new connection there; that server drops everything.
    const other = await startServer({
      handler: (req) => {
        req.socket.destroy();
      },
    });
    const srv = await startServer({
      handler: (req, res) => {
        req.resume();
        res.setHeader('Content-Type', 'text/html');
        res.end(`<!doctype html><link rel="icon" href="data:,"><script>
          window.result = fetch('${other.origin}/b', { mode: 'no-cors' }).then(() => 'ok', (e) => 'failed: ' + e.message);</script>`);
      },
    });
    const result = await pageResult(`${srv.origin}/`);

    expect(result).toBe('failed: Failed to fetch');
    expect(other.requests.map((r) => r.url)).toEqual(['/b']); // one attempt, no retry
    expect(other.connections).toHaveLength(1);
  });
});
