/**
 * Rule connection-identity: two requests travelled on one TCP connection
 * exactly when the server saw the same client (peer) port for both.
 *
 * Source: the seed (a server logging `req.socket.remotePort`); RFC 9293,
 * TCP (a connection is identified by the pair of sockets, address and port,
 * at its two ends) and RFC 9112 §9
 * (HTTP/1.1 connection management). Every other spec in this suite uses
 * this rule as its evidence.
 * Versions: the same on every release from 18.14.0 to 26.10.0.
 */
import { startServer } from '../helpers/server';
import { openRaw } from '../helpers/raw';
import { GET_HTTP11 } from '../fixtures/messages';

describe('a TCP connection is identified by the client port the server sees', () => {
  it('two requests written on one socket reach the server with the same peer port, over one accepted connection', async () => {
    const srv = await startServer();
    const raw = await openRaw(srv.port);

    raw.send(GET_HTTP11);
    const first = await raw.readResponse();
    raw.send(GET_HTTP11);
    const second = await raw.readResponse();

    expect(srv.peerPorts()).toEqual([raw.localPort, raw.localPort]);
    expect(srv.connections).toHaveLength(1);
    // The default handler answers with the peer port it saw.
    expect([first.body, second.body]).toEqual([String(raw.localPort), String(raw.localPort)]);
  });

  it('two requests on two sockets reach the server with two different peer ports, over two accepted connections', async () => {
    const srv = await startServer();
    const a = await openRaw(srv.port);
    const b = await openRaw(srv.port);

    a.send(GET_HTTP11);
    await a.readResponse();
    b.send(GET_HTTP11);
    await b.readResponse();

    expect(srv.peerPorts()).toEqual([a.localPort, b.localPort]);
    expect(a.localPort).not.toBe(b.localPort);
    expect(srv.connections).toHaveLength(2);
  });

  it('the number of distinct peer ports equals the number of connections the server accepted', async () => {
    const srv = await startServer();
    const sockets = [await openRaw(srv.port), await openRaw(srv.port), await openRaw(srv.port)];
    // Requests over three connections, two on the first, in this order: 0 1 0 2
    for (const i of [0, 1, 0, 2]) {
      sockets[i]!.send(GET_HTTP11);
      await sockets[i]!.readResponse();
    }

    expect(srv.requests.map((r) => r.connection)).toEqual([1, 2, 1, 3]);
    expect(srv.distinctPeerPorts()).toBe(3);
    expect(srv.connections).toHaveLength(3);
  });
});
