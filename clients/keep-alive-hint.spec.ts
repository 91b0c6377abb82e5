/**
 * Rule: a client that trusts the server's `Keep-Alive: timeout=N` closes an
 * idle connection before the server would — less a safety margin — so that it
 * never reuses one the server is closing; a client that does not read the hint
 * keeps the connection until the server closes it.
 * Source: RFC 9112 §9.8 and the Keep-Alive header (RFC 2068 §19.7.1.1, a
 * hint, not a requirement); undici docs `keepAliveTimeoutThreshold` (2 s since
 * undici 6.14.0, 1 s before); Node docs `agent.agentKeepAliveTimeoutBuffer`
 * (1 s); agentkeepalive docs `freeSocketTimeout` (4 s, overrides the socket's).
 * Versions (findings.json): the same on Node 20.20.2 and 26.12.1 for every pinned client.
 * Evidence: who closed the idle connection and how (a FIN from the client:
 * the server's socket saw 'end' first; a close without it is a reset), and
 * how long after the response, both on the server.
 * The server advertises timeout=3 but keeps idle connections 10 s itself, so a
 * close within the bound is the client's; the wait ends 0.5 s after the hint
 * (agentkeepalive's own 4 s lies beyond it).
 * Counter-case: timeout=1 — a hint no longer than the client's margin.
 */
import { startServer, respondWithHeader } from '../helpers/server';
import type { Socket } from 'node:net';
import { clientRule } from './rule';
import type { ClientAdapter } from './contract';

async function idleClose(client: ClientAdapter, hintS: number): Promise<string> {
  const server = await startServer({ handler: respondWithHeader('Keep-Alive', `timeout=${hintS}`), keepAliveTimeout: 10_000 });
  await client.request(`${server.origin}/hint`, { method: 'GET' });
  if (server.requests[0]?.connectionHeader?.toLowerCase() === 'close') return 'no idle connection: the client sent Connection: close';
  const socket = server.connections[0] as Socket;
  let clientFin = false;
  socket.once('end', () => (clientFin = true));
  // The bound counts from the end of the response, as the client's idle timer does (a stall before this line
  // must not move it past agentkeepalive's 4 s); the server's own timer (10 s) cannot fire within it.
  const finishedAt = server.requests[0]?.finishedAt ?? performance.now();
  const boundMs = Math.max(1, Math.round(finishedAt + hintS * 1000 + 500 - performance.now()));
  let idleMs: number;
  try {
    idleMs = await server.idleBeforeClose(1, boundMs);
  } catch {
    return 'keeps it open past the hint';
  }
  // Timers fire late under load, never more than a few ms early: whole seconds, counted down.
  const s = Math.floor((idleMs + 100) / 1000);
  // Within the bound only the client closes; without a FIN first, it reset the connection.
  const how = clientFin ? 'closes it' : 'resets it (no FIN)';
  if (s === 0) return `${how} at once`;
  return `${how} after ${s} s idle (the hint less ${hintS - s} s)`;
}

clientRule({
  id: 'keep-alive-hint',
  rule: 'Keep-Alive: timeout=N — does the client close an idle connection before the server does',
  cases: [
    { name: 'Keep-Alive: timeout=3, the server keeps it 10 s', run: (client) => idleClose(client, 3) },
    { name: 'Keep-Alive: timeout=1, the server keeps it 10 s', run: (client) => idleClose(client, 1) },
  ],
});
