/**
 * Rule: serial requests from one client share one connection — a client
 * keeps alive by default — and the server sees which Connection header the
 * client sent.
 * Source: RFC 9112 §9.3 (HTTP/1.1 connections are persistent by default);
 * node-fetch #1735, #1736, #1765 (node-fetch sent `Connection: close` before
 * 2.6.13 / 3.3.2 — measured: 2.6.13 changed it, see findings.json); Node docs
 * `http.globalAgent` (keepAlive since 19.0.0).
 * Versions (findings.json): node-fetch 2.6.13 and 3.3.2, bisected over published versions.
 * Evidence: connections the server accepted, the Connection header of every request.
 * Counter-case: the same three requests, each sent the moment the previous one
 * resolved — a client that frees its connection a tick later opens another.
 */
import { startServer } from '../helpers/server';
import { clientRule } from './rule';
import { connectionHeaders, macrotask, plural } from './words';
import type { ClientAdapter } from './contract';

async function threeSerial(client: ClientAdapter, apart: boolean): Promise<string> {
  const server = await startServer();
  for (let i = 1; i <= 3; i++) {
    await client.request(`${server.origin}/serial${i}`, { method: 'GET' });
    if (apart) await macrotask();
  }
  return `${plural(server.connections.length, 'connection')}, ${connectionHeaders(server)}`;
}

clientRule({
  id: 'serial-reuse',
  rule: 'serial requests share one connection by default',
  cases: [
    { name: 'three serial GETs a macrotask apart', run: (client) => threeSerial(client, true) },
    { name: 'three serial GETs, each sent as soon as the previous one resolved', run: (client) => threeSerial(client, false) },
  ],
});
