/**
 * Rule browser-connections-per-host: a browser loading a page of many
 * resources from one HTTP/1.1 origin opens at most 6 connections to it and
 * reuses each for several requests; a second origin gets six of its own; a
 * server that answers `Connection: close` costs one connection per resource;
 * over HTTP/2 the whole page travels on one connection.
 *
 * Source: the seed's Q&A ("modern browsers run ~6ish connections per host");
 * Chromium's per-group socket limit (6 for HTTP/1.x); RFC 9112 §9.4
 * (concurrency); RFC 9113 §9.1 (one connection per origin).
 * Peer: Chromium (playwright-core, headless). Evidence: the client ports the
 * Node servers saw, and how many requests each was waiting on at once.
 *
 * The servers hold each batch of image responses for 150 ms after its first
 * request arrives, so the browser must use all the connections it is willing
 * to open: a browser allowed a seventh would send a seventh request while the
 * six wait, and the server would count seven waiting.
 */
import * as http2 from 'node:http2';
import { startServer, type Handler, type ServerFixture } from '../helpers/server';
import { openBrowser } from '../helpers/browser';
import { serverTls } from '../fixtures/tls';
import { defer } from '../helpers/cleanup';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

const IMAGES = 24;
const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

/** A page of `IMAGES` images: the first half from `here`, the second from `other` (default: here too). */
function page(other = ''): string {
  const imgs = Array.from({ length: IMAGES }, (_, i) => `<img src="${i >= IMAGES / 2 ? other : ''}/img/${i}.gif">`);
  return `<!doctype html><title>page</title><link rel="icon" href="data:,">${imgs.join('')}`;
}

/**
 * A handler serving the page at "/" and images that are held for 150 ms from
 * the first of each batch (never released early by a count, so nothing caps
 * what is seen); records the most image requests ever waiting at once.
 */
function pageServer(html: () => string, options: { close?: boolean } = {}) {
  let waiting: Array<() => void> = [];
  const stats = { maxWaiting: 0 };
  const flush = () => {
    const batch = waiting;
    waiting = [];
    for (const send of batch) send();
  };
  const handler: Handler = (req, res) => {
    req.resume();
    if (options.close) res.setHeader('Connection', 'close');
    res.setHeader('Access-Control-Allow-Origin', '*');
    if (!req.url?.startsWith('/img/')) {
      res.setHeader('Content-Type', 'text/html');
      res.end(html());
      return;
    }
    waiting.push(() => {
      res.setHeader('Content-Type', 'image/gif');
      res.end(GIF);
    });
    stats.maxWaiting = Math.max(stats.maxWaiting, waiting.length);
    if (waiting.length === 1) setTimeout(flush, 150).unref();
  };
  return { handler, stats };
}

async function load(url: string, ignoreHTTPSErrors = false): Promise<void> {
  const { context } = await openBrowser({ ignoreHTTPSErrors });
  const tab = await context.newPage();
  await tab.goto(url, { waitUntil: 'load' });
}

const images = (srv: ServerFixture) => srv.requests.filter((r) => r.url.startsWith('/img/'));

describe('a browser opens at most six connections per HTTP/1.1 origin, and reuses them', () => {
  it('a page of 24 images from one origin arrives on exactly 6 connections, each carrying several requests', async () => {
    const { handler, stats } = pageServer(() => page());
    const srv = await startServer({ handler });
    await load(`${srv.origin}/`);

    expect(images(srv)).toHaveLength(IMAGES);
    expect(stats.maxWaiting).toBe(6);
    expect(new Set(images(srv).map((r) => r.connection)).size).toBe(6);
    expect(srv.connections).toHaveLength(6);
    expect(srv.requests).toHaveLength(IMAGES + 1); // the page and its images, nothing else
  });

  it('a second origin (another port) gets six connections of its own', async () => {
    const b = pageServer(() => '');
    const other = await startServer({ handler: b.handler });
    const a = pageServer(() => page(other.origin));
    const srv = await startServer({ handler: a.handler });
    await load(`${srv.origin}/`);

    expect(images(srv)).toHaveLength(IMAGES / 2);
    expect(images(other)).toHaveLength(IMAGES / 2);
    expect(a.stats.maxWaiting).toBe(6);
    expect(b.stats.maxWaiting).toBe(6);
    expect(other.connections).toHaveLength(6);
  });

  it('a server that answers Connection: close costs one connection per resource', async () => {
    const { handler, stats } = pageServer(() => page(), { close: true });
    const srv = await startServer({ handler });
    await load(`${srv.origin}/`);

    expect(srv.requests).toHaveLength(IMAGES + 1);
    expect(srv.connections).toHaveLength(IMAGES + 1);
    expect(srv.distinctPeerPorts()).toBe(IMAGES + 1);
    expect(stats.maxWaiting).toBeLessThanOrEqual(6); // still at most six at once
  });

  it('over HTTP/2 (TLS, ALPN h2) the whole page travels as streams on one connection', async () => {
    const sessions: http2.ServerHttp2Session[] = [];
    const streams: Array<{ url: string; session: number; version: string }> = [];
    const server = http2.createSecureServer({ ...serverTls, allowHTTP1: true });
    server.on('session', (s: http2.ServerHttp2Session) => sessions.push(s));
    const { handler } = pageServer(() => page());
    server.on('request', (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => {
      streams.push({ url: req.url, session: sessions.indexOf(req.stream.session as http2.ServerHttp2Session) + 1, version: req.httpVersion });
      handler(req as never, res as never);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    defer(async () => {
      for (const s of sessions) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    });
    await load(`https://localhost:${(server.address() as AddressInfo).port}/`, true);

    expect(streams).toHaveLength(IMAGES + 1);
    expect(new Set(streams.map((s) => s.version))).toEqual(new Set(['2.0']));
    expect(sessions).toHaveLength(1);
    expect(new Set(streams.map((s) => s.session))).toEqual(new Set([1]));
  });
});
