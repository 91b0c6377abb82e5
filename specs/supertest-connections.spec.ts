/**
 * Rule supertest-connections: supertest (through superagent) sends
 * `Connection: close` on every request, whatever the Node major, so the
 * server under test answers `Connection: close` and never shows its
 * keep-alive headers. Its requests share a connection only when given a
 * keep-alive `http.Agent` with `.agent(...)`; `request.agent(app)` is a
 * cookie-keeping agent, not a connection-keeping one.
 *
 * Source: measured (supertest 7 / superagent 10); supertest README
 * ("if the server is not already listening … it is bound to an ephemeral
 * port"); RFC 9112 §9.6.
 * Versions: the same on every release from 18.14.0 to 26.10.0; it does not follow the global
 * agent's keep-alive default of Node 19.0.0 and later.
 */
import * as http from 'node:http';
import request from 'supertest';
import { startServer, echoPeerPort } from '../helpers/server';
import { keepAliveAgent } from '../helpers/agents';

describe('what supertest does with connections', () => {
  it('each request says Connection: close, is answered Connection: close, and has its own connection', async () => {
    const srv = await startServer();
    const first = await request(srv.server).get('/');
    await request(srv.server).get('/');

    expect(srv.requests.map((r) => r.connectionHeader)).toEqual(['close', 'close']);
    expect(srv.distinctPeerPorts()).toBe(2);
    expect(first.headers.connection).toBe('close');
    expect(first.headers['keep-alive']).toBeUndefined();
  });

  it('an app that is not listening gets a fresh ephemeral listener for each request, closed afterwards', async () => {
    const serverPorts: number[] = [];
    const app = http.createServer((req, res) => {
      serverPorts.push(req.socket.localPort ?? -1);
      echoPeerPort(req, res);
    });
    await request(app).get('/');
    await request(app).get('/');

    expect(serverPorts).toHaveLength(2);
    expect(serverPorts[0]).not.toBe(serverPorts[1]);
    expect(app.listening).toBe(false);
  });

  it('request.agent(app) keeps cookies, not connections: its requests still say Connection: close', async () => {
    const srv = await startServer();
    const cookieAgent = request.agent(srv.server);
    await cookieAgent.get('/');
    await cookieAgent.get('/');

    expect(srv.requests.map((r) => r.connectionHeader)).toEqual(['close', 'close']);
    expect(srv.distinctPeerPorts()).toBe(2);
  });

  it('.agent(new http.Agent({ keepAlive: true })) makes its requests say keep-alive and share one connection', async () => {
    const srv = await startServer();
    const agent = keepAliveAgent();
    await request(srv.server).get('/').agent(agent);
    await request(srv.server).get('/').agent(agent);

    expect(srv.requests.map((r) => r.connectionHeader)).toEqual(['keep-alive', 'keep-alive']);
    expect(srv.distinctPeerPorts()).toBe(1);
    expect(srv.connections).toHaveLength(1);
  });

  it("the server's Keep-Alive headers can be asserted only through such an agent; by default they are absent", async () => {
    const srv = await startServer();
    const agent = keepAliveAgent();

    await request(srv.server)
      .get('/')
      .agent(agent)
      .expect('Connection', 'keep-alive')
      .expect('Keep-Alive', 'timeout=5');
    await expect(request(srv.server).get('/').expect('Connection', 'keep-alive')).rejects.toThrow(
      'expected "Connection" of "keep-alive", got "close"',
    );
  });
});
