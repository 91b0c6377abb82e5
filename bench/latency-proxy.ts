/**
 * A TCP proxy on loopback that adds a round-trip time. Each chunk is
 * forwarded RTT/2 later in either direction (order kept: equal delays fire
 * in order), and a new connection is held for one RTT before any byte
 * flows, to model the TCP three-way handshake loopback does not have.
 * TLS's own round trips pass through the proxy and so cost real RTTs.
 */
import * as net from 'node:net';
import { once } from 'node:events';

export interface LatencyProxy {
  port: number;
  close(): Promise<void>;
}

export async function startLatencyProxy(targetPort: number, rttMs: number): Promise<LatencyProxy> {
  const sockets = new Set<net.Socket>();
  const half = rttMs / 2;
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
    s.setNoDelay(true);
  };
  /** Forward `from` to `to`, each chunk and the end `half` ms later. */
  const pipeDelayed = (from: net.Socket, to: net.Socket) => {
    from.on('data', (chunk) => setTimeout(() => to.destroyed || to.write(chunk), half));
    from.on('end', () => setTimeout(() => to.destroyed || to.end(), half));
    from.on('close', () => setTimeout(() => to.destroy(), half));
  };
  const server = net.createServer((client) => {
    track(client);
    client.pause(); // hold the client's bytes during the modelled handshake
    setTimeout(() => {
      if (client.destroyed) return;
      const upstream = net.connect(targetPort, '127.0.0.1');
      track(upstream);
      upstream.once('connect', () => {
        pipeDelayed(client, upstream);
        pipeDelayed(upstream, client);
        client.resume();
      });
    }, rttMs);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
