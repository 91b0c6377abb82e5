/**
 * Rule request-timeout-over-agent: a request's own `timeout` option, not the
 * agent's `timeout`, is its socket's timeout while the request is in flight.
 * Through an agent with `timeout: 100`, a request with `timeout: 2000` waits
 * for a response that takes 400 ms and gets it, with no 'timeout' event; the
 * same request without its own timeout gets the agent's — 'timeout' after
 * about 100 ms, and a caller that destroys it (the usual handler) closes the
 * connection before the server has answered. Once the response has ended,
 * the socket goes back to the pool with the agent's timeout again: the client
 * closes it after 100 ms idle, not 2000.
 *
 * The reused-socket case (a request's own timeout is set on a socket taken
 * from the pool — unless it equals the agent's) is agent-hint-shortens-timeout;
 * the agent's timeout on idle pooled sockets is agent-timeout.
 *
 * Source: Node's test-http-client-timeout-option-with-agent.js (agent 1 s,
 * request 3 s, a server that never answers: one 'timeout', after 3 s); Node
 * docs, `http.request()` `timeout`, `new Agent({ timeout })`;
 * lib/_http_agent.js (the socket is created with the agent's timeout;
 * setRequestSocket sets the request's own when it differs; keepSocketAlive
 * sets the agent's on the pooled socket).
 * Versions: the same on every release probed (18.14.0, 20.20.2, 26.12.1;
 * with and without keepAlive on the agent).
 */
import * as http from 'node:http';
import type { Socket } from 'node:net';
import { startServer, type Handler, type ServerFixture } from '../helpers/server';
import { keepAliveAgent, isPooled } from '../helpers/agents';
import { within, nextTick, TIMER_EARLY_MS, TIMER_LATE_MS } from '../helpers/wait';

const AGENT_TIMEOUT = 100;
const OWN_TIMEOUT = 2_000;
/** The slow response: well after the agent's timeout, well before the request's own. */
const ANSWER_AFTER = 400;

/**
 * `/slow` is answered after ANSWER_AFTER ms unless its connection closes
 * first; `seen` says which happened, from the server's side. Anything else is
 * answered at once.
 */
async function slowServer(): Promise<{ srv: ServerFixture; seen: string[] }> {
  const seen: string[] = [];
  const handler: Handler = (req, res) => {
    req.resume();
    if (req.url !== '/slow') return void res.end('now');
    const timer = setTimeout(() => {
      seen.push(req.socket.destroyed ? 'written on a closed connection' : 'answered on an open connection');
      res.end('late');
    }, ANSWER_AFTER);
    req.socket.once('close', () => {
      if (res.writableEnded) return;
      clearTimeout(timer);
      seen.push('closed by the client before the response');
    });
  };
  return { srv: await startServer({ handler }), seen };
}

interface Outcome {
  status?: number;
  body: string;
  error?: string;
  sentAt: number;
  /** When 'timeout' fired (the request is then destroyed, as callers do). */
  timedOutAt?: number;
  endedAt?: number;
  /** The socket's timeout while the request was in flight: read at the response, or at 'timeout'. */
  timerInFlight?: number;
  socket?: Socket;
}

/** One GET through `agent`, with `timeout` as its own option if given; settles at the body's end or the error. */
function send(srv: ServerFixture, agent: http.Agent, path: string, timeout?: number): Promise<Outcome> {
  const outcome: Outcome = { body: '', sentAt: performance.now() };
  const done = new Promise<Outcome>((resolve) => {
    const req = http.get({ host: '127.0.0.1', port: srv.port, agent, path, ...(timeout === undefined ? {} : { timeout }) }, (res) => {
      outcome.status = res.statusCode;
      outcome.timerInFlight = req.socket?.timeout;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (outcome.body += chunk));
      res.on('end', () => {
        outcome.endedAt = performance.now();
        resolve(outcome);
      });
    });
    req.on('socket', (socket: Socket) => (outcome.socket = socket));
    req.on('timeout', () => {
      outcome.timedOutAt = performance.now();
      outcome.timerInFlight = req.socket?.timeout;
      req.destroy();
    });
    req.on('error', (error) => {
      outcome.error = error.message;
      resolve(outcome);
    });
  });
  return within(ANSWER_AFTER + 2_000, `GET ${path}`, done);
}

describe("a request's own timeout, not the agent's, governs its socket while the request is in flight", () => {
  it(`a request with timeout: ${OWN_TIMEOUT} through an agent with timeout: ${AGENT_TIMEOUT} gets a response sent after ${ANSWER_AFTER} ms, with no 'timeout'; the server wrote it on an open connection`, async () => {
    const { srv, seen } = await slowServer();
    const agent = keepAliveAgent({ timeout: AGENT_TIMEOUT });
    const outcome = await send(srv, agent, '/slow', OWN_TIMEOUT);

    expect(outcome.timedOutAt).toBeUndefined();
    expect(outcome.error).toBeUndefined();
    expect([outcome.status, outcome.body]).toEqual([200, 'late']);
    expect(outcome.timerInFlight).toBe(OWN_TIMEOUT);
    expect(outcome.endedAt! - outcome.sentAt).toBeGreaterThanOrEqual(ANSWER_AFTER - TIMER_EARLY_MS); // past the agent's timeout
    expect(srv.requests.map((r) => `${r.url} on ${r.connection}`)).toEqual(['/slow on 1']);
    expect(seen).toEqual(['answered on an open connection']);
  });

  it(`counter-case: the same request without its own timeout gets the agent's: 'timeout' after about ${AGENT_TIMEOUT} ms; destroyed, the server sees its connection closed by the client before the response`, async () => {
    const { srv, seen } = await slowServer();
    const agent = keepAliveAgent({ timeout: AGENT_TIMEOUT });
    const outcome = await send(srv, agent, '/slow');
    await within(1_000, 'server seeing the connection close', srv.closed(1));

    expect(outcome.timedOutAt).toBeDefined();
    expect(outcome.timerInFlight).toBe(AGENT_TIMEOUT);
    expect(outcome.timedOutAt! - outcome.sentAt).toBeGreaterThanOrEqual(AGENT_TIMEOUT - TIMER_EARLY_MS);
    expect(outcome.timedOutAt! - outcome.sentAt).toBeLessThan(ANSWER_AFTER);
    expect(outcome.status).toBeUndefined();
    expect(outcome.error).toBe('socket hang up');
    expect(srv.requests.map((r) => `${r.url} on ${r.connection}`)).toEqual(['/slow on 1']);
    expect(seen).toEqual(['closed by the client before the response']);
  });

  it(`once its response has ended, the socket is pooled with the agent's timeout again: the client closes it about ${AGENT_TIMEOUT} ms idle, not ${OWN_TIMEOUT}`, async () => {
    const { srv } = await slowServer(); // keepAliveTimeout 5 s: a close within it is the client's
    const agent = keepAliveAgent({ timeout: AGENT_TIMEOUT });
    const outcome = await send(srv, agent, '/', OWN_TIMEOUT);
    await nextTick(); // the socket is freed one tick after 'end'
    const pooled = isPooled(agent, outcome.socket);
    const timerPooled = outcome.socket!.timeout;
    // Bounded below the request's own timeout: a socket that kept it would fail here.
    const idle = await srv.idleBeforeClose(1, OWN_TIMEOUT - 500);

    expect([outcome.status, outcome.timerInFlight]).toEqual([200, OWN_TIMEOUT]);
    expect([pooled, timerPooled]).toEqual([true, AGENT_TIMEOUT]);
    expect(srv.server.keepAliveTimeout).toBe(5_000);
    expect(idle).toBeGreaterThanOrEqual(AGENT_TIMEOUT - TIMER_EARLY_MS);
    expect(idle).toBeLessThan(AGENT_TIMEOUT + TIMER_LATE_MS);
    expect(srv.connections).toHaveLength(1);
  });
});
