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
import { startServer, type Handler } from '../helpers/server';
import { openBrowser } from '../helpers/browser';

/**
 * Serves a page whose script fetches /a, then /b with `method`; the first /b
 * that arrives on a connection that already served a request is dropped:
 * the socket is destroyed with no response.
 */
function dropFirstReusedB(method: string): Handler {
  const served = new WeakMap<object, number>();
  let dropped = false;
  return (req, res) => {
    const n = (served.get(req.socket) ?? 0) + 1;
    served.set(req.socket, n);
    req.resume();
    if (req.url === '/') {
      res.setHeader('Content-Type', 'text/html');
      res.end(`<!doctype html><link rel="icon" href="data:,"><script>
        window.result = (async () => {
          const a = await (await fetch('/a', { method: '${method}' })).text();
          try { return a + ' ' + (await (await fetch('/b', { method: '${method}' })).text()); }
          catch (e) { return a + ' failed: ' + e.message; }
        })();</script>`);
      return;
    }
    if (req.url === '/b' && n > 1 && !dropped) {
      dropped = true;
      req.socket.destroy();
      return;
    }
    res.end(`${req.url} ok`);
  };
}

async function pageResult(url: string): Promise<string> {
  const { context } = await openBrowser();
  const tab = await context.newPage();
  await tab.goto(url);
  return String(await tab.evaluate('window.result'));
}

describe('a browser retries a request lost on a reused connection', () => {
  it.each(['GET', 'POST'])('a %s lost on a reused connection is sent again on a new one, and the page gets its response', async (method) => {
    const srv = await startServer({ handler: dropFirstReusedB(method) });
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
