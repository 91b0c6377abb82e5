/**
 * One adapter per server under test, one contract: start on 127.0.0.1, port
 * 0, with the framework's defaults untouched, serving
 *   GET /fast          200 "fast" at once;
 *   GET /slow?ms=N     200 "slow" after N ms (and says so on `events`: 'slow');
 * stop() is the framework's own graceful shutdown (what its docs tell users to
 * call); kill() ends everything at once and is what cleanup calls.
 *
 * Versions are read from the installed package (servers/package.json pins
 * them exactly), so the results table names what really ran.
 */
import * as http from 'node:http';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { defer } from '../helpers/cleanup';
import { responseClock, type ResponseClock } from './measure';

export interface Running {
  /** The Node http.Server underneath, whatever the framework. */
  server: http.Server;
  port: number;
  /** 'slow' with the requested ms when a slow request starts its wait. */
  events: EventEmitter;
  /** When the server finished its latest response to a client port (the idle timer's start). */
  clock: ResponseClock;
  /** The framework's own graceful shutdown. */
  stop(): Promise<void>;
  /** Everything closed at once, idempotent: cleanup. */
  kill(): Promise<void>;
}

export interface Adapter {
  /** Stable id: the column in results/SERVERS.md and the key in findings.json. */
  id: string;
  /** The package whose defaults are under test ('node' for the baseline). */
  pkg: string;
  /** Its installed version (Node's own for the baseline). */
  version: string;
  /** What stop() calls, in words. */
  stopCall: string;
  start(): Promise<Running>;
}

/** Installed version of a package in servers/node_modules (read as a file: some packages do not export package.json). */
export function installedVersion(pkg: string): string {
  return (JSON.parse(readFileSync(path.join(__dirname, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
}

function slowMs(url: string | undefined): number {
  return Number(new URL(url ?? '/', 'http://x').searchParams.get('ms') ?? 0);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A plain request listener with the contract's routes, for Node and the wrappers around a Node server. */
function nodeListener(events: EventEmitter): http.RequestListener {
  return (req, res) => {
    req.resume();
    if (req.url?.startsWith('/slow')) {
      const ms = slowMs(req.url);
      events.emit('slow', ms);
      setTimeout(() => res.end('slow'), ms);
      return;
    }
    res.end('fast');
  };
}

async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

/** kill() for a Node server: every connection and the listener, once. */
function killer(server: http.Server): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () =>
    (done ??= new Promise<void>((resolve) => {
      server.closeAllConnections();
      if (!server.listening) return resolve();
      server.close(() => resolve());
      server.closeAllConnections();
    }));
}

/** The Running of a server already listening; stop() given. */
function running(server: http.Server, port: number, events: EventEmitter, stop: () => Promise<void>, kill = killer(server)): Running {
  const r: Running = { server, port, events, clock: responseClock(server), stop, kill };
  defer(kill);
  return r;
}

const closeServer = (server: http.Server) =>
  new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));

export const node: Adapter = {
  id: 'node',
  pkg: 'node:http',
  version: process.versions.node,
  stopCall: 'server.close()',
  async start() {
    const events = new EventEmitter();
    const server = http.createServer(nodeListener(events));
    const port = await listen(server);
    return running(server, port, events, () => closeServer(server));
  },
};

export const express: Adapter = {
  id: 'express',
  pkg: 'express',
  get version() {
    return installedVersion('express');
  },
  stopCall: 'server.close() on what app.listen() returned',
  async start() {
    const { default: createApp } = await import('express');
    const events = new EventEmitter();
    const app = createApp();
    app.get('/fast', (_req, res) => void res.send('fast'));
    app.get('/slow', async (req, res) => {
      const ms = slowMs(req.url);
      events.emit('slow', ms);
      await sleep(ms);
      res.send('slow');
    });
    const server = await new Promise<http.Server>((resolve, reject) => {
      const s = app.listen(0, '127.0.0.1', (error?: Error) => (error ? reject(error) : resolve(s)));
    });
    return running(server, (server.address() as AddressInfo).port, events, () => closeServer(server));
  },
};

export const fastify: Adapter = {
  id: 'fastify',
  pkg: 'fastify',
  get version() {
    return installedVersion('fastify');
  },
  stopCall: 'app.close()',
  async start() {
    const { default: Fastify } = await import('fastify');
    const events = new EventEmitter();
    const app = Fastify();
    app.get('/fast', async () => 'fast');
    app.get('/slow', async (req) => {
      const ms = slowMs(req.url);
      events.emit('slow', ms);
      await sleep(ms);
      return 'slow';
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const server = app.server;
    let closing: Promise<void> | undefined;
    const stop = () => (closing ??= app.close());
    const kill = killer(server);
    return running(server, (server.address() as AddressInfo).port, events, stop, async () => {
      await kill();
      await stop();
    });
  },
};

export const koa: Adapter = {
  id: 'koa',
  pkg: 'koa',
  get version() {
    return installedVersion('koa');
  },
  stopCall: 'server.close() on what app.listen() returned',
  async start() {
    const { default: Koa } = await import('koa');
    const events = new EventEmitter();
    const app = new Koa();
    app.use(async (ctx) => {
      if (ctx.path === '/slow') {
        const ms = slowMs(ctx.url);
        events.emit('slow', ms);
        await sleep(ms);
        ctx.body = 'slow';
        return;
      }
      ctx.body = 'fast';
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    return running(server, (server.address() as AddressInfo).port, events, () => closeServer(server));
  },
};

export const hapi: Adapter = {
  id: 'hapi',
  pkg: '@hapi/hapi',
  get version() {
    return installedVersion('@hapi/hapi');
  },
  stopCall: 'server.stop() (its default timeout, 5000 ms)',
  async start() {
    const Hapi = await import('@hapi/hapi');
    const events = new EventEmitter();
    const app = Hapi.server({ port: 0, host: '127.0.0.1' });
    app.route({ method: 'GET', path: '/fast', handler: () => 'fast' });
    app.route({
      method: 'GET',
      path: '/slow',
      handler: async (req) => {
        const ms = Number(req.query.ms ?? 0);
        events.emit('slow', ms);
        await sleep(ms);
        return 'slow';
      },
    });
    await app.start();
    const server = app.listener;
    let stopping: Promise<void> | undefined;
    const stop = () => (stopping ??= app.stop());
    const kill = killer(server);
    return running(server, app.info.port as number, events, stop, async () => {
      await kill();
      await stop();
    });
  },
};

export const hono: Adapter = {
  id: 'hono',
  pkg: '@hono/node-server',
  get version() {
    return `${installedVersion('@hono/node-server')} (hono ${installedVersion('hono')})`;
  },
  stopCall: 'server.close() on what serve() returned',
  async start() {
    const { Hono } = await import('hono');
    const { serve } = await import('@hono/node-server');
    const events = new EventEmitter();
    const app = new Hono();
    app.get('/fast', (c) => c.text('fast'));
    app.get('/slow', async (c) => {
      const ms = Number(c.req.query('ms') ?? 0);
      events.emit('slow', ms);
      await sleep(ms);
      return c.text('slow');
    });
    const server = await new Promise<http.Server>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as http.Server));
    });
    return running(server, (server.address() as AddressInfo).port, events, () => closeServer(server));
  },
};

export const stoppable: Adapter = {
  id: 'stoppable',
  pkg: 'stoppable',
  get version() {
    return installedVersion('stoppable');
  },
  stopCall: 'server.stop() (its default grace, Infinity)',
  async start() {
    const { default: wrap } = await import('stoppable');
    const events = new EventEmitter();
    const server = wrap(http.createServer(nodeListener(events)));
    const port = await listen(server);
    return running(server, port, events, () => new Promise<void>((resolve, reject) => server.stop((error) => (error ? reject(error) : resolve()))));
  },
};

export const httpTerminator: Adapter = {
  id: 'http-terminator',
  pkg: 'http-terminator',
  get version() {
    return installedVersion('http-terminator');
  },
  stopCall: 'createHttpTerminator({ server }).terminate() (its default gracefulTerminationTimeout)',
  async start() {
    const { createHttpTerminator } = await import('http-terminator');
    const events = new EventEmitter();
    const server = http.createServer(nodeListener(events));
    const terminator = createHttpTerminator({ server });
    const port = await listen(server);
    return running(server, port, events, () => terminator.terminate());
  },
};

/** Every server under test, in the table's column order. */
export const ADAPTERS: Adapter[] = [node, express, fastify, koa, hapi, hono, stoppable, httpTerminator];
