/**
 * Rule reset-race: a server may close an idle connection at the very moment
 * the client reuses it. The reused request then fails with ECONNRESET and
 * `req.reusedSocket === true`, which is what Node's documented retry pattern
 * keys on; retried, it succeeds on a new connection. A socket handed straight
 * to a queued request does not count as reused, so that pattern never fires
 * for it.
 *
 * Source: the seed's Q&A ("the server may close whenever it likes");
 * RFC 9112 §9.3.1 (retrying requests) and §9.5; Node docs, `request.reusedSocket`
 * (the retry example). Made deterministic here: a raw server that resets the
 * connection exactly when the reused request arrives.
 * Versions: the same on every release from 18.14.0 to 26.10.0. RST → "read ECONNRESET";
 * FIN → "socket hang up"; both have code ECONNRESET.
 */
import * as http from 'node:http';
import type { Socket } from 'node:net';
import { keepAliveAgent } from '../helpers/agents';
import { onRequestHeads, rawResponse, startRawServer } from '../helpers/raw';
import { within } from '../helpers/wait';

type Drop = 'reset' | 'end';

/** Answers every request, except the second on the first connection: that one it drops. */
function serverDroppingSecondRequest(how: Drop) {
  return startRawServer((socket: Socket, connection) => {
    onRequestHeads(socket, (_head, index) => {
      if (connection === 0 && index === 1) {
        if (how === 'reset') socket.resetAndDestroy();
        else socket.end();
      } else socket.write(rawResponse(`ok from connection ${connection + 1}`));
    });
  });
}

interface Outcome {
  body?: string;
  error?: NodeJS.ErrnoException;
  reusedSocket: boolean;
  attempts: number;
}

/**
 * One GET, retried the way Node's docs show for `request.reusedSocket`:
 * retry only when the socket was reused and the error is ECONNRESET.
 */
function getWithDocsRetry(port: number, agent: http.Agent, retry = true, attempts = 1): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ body, reusedSocket: req.reusedSocket, attempts }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (retry && req.reusedSocket && error.code === 'ECONNRESET') {
        resolve(getWithDocsRetry(port, agent, retry, attempts + 1));
      } else resolve({ error, reusedSocket: req.reusedSocket, attempts });
    });
  });
}

/** One GET with no retry: what the caller sees. */
const getOnce = (port: number, agent: http.Agent) => getWithDocsRetry(port, agent, false);

describe('the reset race on a reused connection', () => {
  it.each<[Drop, string]>([
    ['reset', 'read ECONNRESET'],
    ['end', 'socket hang up'],
  ])('a server that drops (%s) the connection as the reused request arrives: ECONNRESET "%s", reusedSocket true', async (how, message) => {
    const srv = await serverDroppingSecondRequest(how);
    const agent = keepAliveAgent();
    const first = await getOnce(srv.port, agent);
    const second = await within(2_000, 'second request failing', getOnce(srv.port, agent));

    expect(first.body).toBe('ok from connection 1');
    expect(second.error?.code).toBe('ECONNRESET');
    expect(second.error?.message).toBe(message);
    expect(second.reusedSocket).toBe(true);
    expect(srv.connections).toHaveLength(1);
  });

  it("Node's documented retry (reusedSocket && ECONNRESET) recovers on a new connection", async () => {
    const srv = await serverDroppingSecondRequest('reset');
    const agent = keepAliveAgent();
    await getWithDocsRetry(srv.port, agent);
    const second = await within(2_000, 'retried request', getWithDocsRetry(srv.port, agent));

    expect(second.body).toBe('ok from connection 2');
    expect(second.attempts).toBe(2);
    expect(srv.connections).toHaveLength(2);
  });

  it('a socket handed to a queued request is not marked reused, so the documented retry does not fire', async () => {
    const srv = await serverDroppingSecondRequest('reset');
    const agent = keepAliveAgent({ maxSockets: 1 });
    const [first, second] = await within(
      2_000,
      'both requests settling',
      Promise.all([getWithDocsRetry(srv.port, agent), getWithDocsRetry(srv.port, agent)]),
    );

    expect(first.body).toBe('ok from connection 1');
    // The second request did go out on the first request's connection ...
    expect(srv.connections).toHaveLength(1);
    // ... yet reusedSocket is false, so the caller gets the error, not a retry.
    expect(second.error?.code).toBe('ECONNRESET');
    expect(second.reusedSocket).toBe(false);
    expect(second.attempts).toBe(1);
  });
});
