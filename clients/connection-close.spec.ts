/**
 * Rule: `Connection: close` on a response ends that connection; the client
 * sends its next request on a new one, and the caller sees no error.
 * Source: RFC 9112 §9.6 ("a client that receives a close connection option
 * MUST cease sending requests on that connection"); Node docs.
 * Versions: the same for every pinned client on Node 20.20.2 and 26.12.1.
 * Evidence: the connection each request arrived on, the caller's outcome.
 * The next request goes out as soon as the first resolved: the header itself,
 * not time, tells the client.
 * Counter-case: the same two requests without the header share a connection
 * (for a client that reuses at all).
 */
import { startServer } from '../helpers/server';
import type * as http from 'node:http';
import { clientRule } from './rule';
import { plural } from './words';
import { describeError } from './contract';
import type { ClientAdapter } from './contract';

const NORMATIVE = {
  anchor: 'RFC 9112 §9.6',
  requirement: 'a client that receives Connection: close must not send further requests on that connection',
  meets: (finding: string) => finding.startsWith('2 connections'),
};

async function twoRequests(client: ClientAdapter, close: boolean): Promise<string> {
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    req.resume();
    if (close && req.url === '/first') res.setHeader('Connection', 'close');
    res.end('ok');
  };
  const server = await startServer({ handler });
  await client.request(`${server.origin}/first`, { method: 'GET' });
  let outcome: string;
  try {
    const res = await client.request(`${server.origin}/next`, { method: 'GET' });
    outcome = `${res.status} to the caller`;
  } catch (error) {
    outcome = describeError(error);
  }
  return `${plural(server.connections.length, 'connection')}, ${outcome}`;
}

clientRule({
  id: 'connection-close',
  rule: 'Connection: close from the server is honoured with no error',
  cases: [
    { name: 'the first response says Connection: close', normative: NORMATIVE, run: (client) => twoRequests(client, true) },
    { name: 'the first response says nothing', run: (client) => twoRequests(client, false) },
  ],
});
