/**
 * Rule server-requests-per-connection: a server that limits the requests per
 * kept-alive connection says so — `Keep-Alive: …, max=N` and `Connection:
 * close` on the N-th response (keep-alive-max states it for Node); a server
 * without a limit answers every request on one connection with keep-alive and
 * advertises no max.
 *
 * The probe: 100 serial requests on one raw connection, stopping at the first
 * `Connection: close` or close. Counter-case: a Node server with
 * maxRequestsPerSocket 3 is seen to stop at 3.
 *
 * Source: RFC 9112 §9.3, §9.6; Node docs, server.maxRequestsPerSocket
 * (16.10.0, default 0: no limit); fastify docs (maxRequestsPerSocket, 0).
 * Versions: per framework in servers/findings.json.
 */
import { startServer } from '../helpers/server';
import { measureRequestsPerConnection, type PerConnection } from './measure';
import { perServer } from './lane';

const REQUESTS = 100;

interface PerConnectionFinding {
  limit: number | null;
}

describe('server-requests-per-connection: a server says when it stops serving a connection (max=N, Connection: close on the N-th); without a limit it serves them all', () => {
  perServer<PerConnection, PerConnectionFinding>(
    'server-requests-per-connection',
    async (adapter) => measureRequestsPerConnection((await adapter.start()).port, '/fast', REQUESTS),
    (seen, finding) => {
      if (finding.limit === null) {
        expect(seen).toEqual({ served: REQUESTS, sent: REQUESTS, closeOn: undefined, advertisedMax: undefined });
      } else {
        expect(seen).toEqual({ served: finding.limit, sent: finding.limit, closeOn: finding.limit, advertisedMax: finding.limit });
      }
    },
    15_000,
  );

  it('counter-case: a Node server with maxRequestsPerSocket 3 advertises max=3 and says Connection: close on the 3rd response', async () => {
    const srv = await startServer();
    srv.server.maxRequestsPerSocket = 3;

    expect(await measureRequestsPerConnection(srv.port, '/', REQUESTS)).toEqual({ served: 3, sent: 3, closeOn: 3, advertisedMax: 3 });
    expect(srv.connections).toHaveLength(1);
  });
});
