/**
 * What a Node HTTP server does with `keepAliveTimeout` on the running release
 * (rule keep-alive-timeout-server-close states and proves it; the releases are
 * SERVER_IDLE_CLOSE in release-gates.ts):
 *   atTimeout     closes an idle connection after keepAliveTimeout;
 *   fixedBuffer   after keepAliveTimeout + 1000 ms;
 *   bufferOption  after keepAliveTimeout + server.keepAliveTimeoutBuffer (default 1000).
 * Other specs use this to wait exactly as long as the running release needs.
 */
import type { Server } from 'node:http';
import { holdsOn } from './versions';
import { SERVER_IDLE_CLOSE } from './release-gates';

/** The fixed buffer's size where there is one. */
const FIXED_BUFFER_MS = 1_000;

/** How long after its last response the server closes an idle connection. */
export function idleCloseMs(server: Server): number {
  // A feature check where Node exposes the buffer as an option.
  if (typeof server.keepAliveTimeoutBuffer === 'number') return server.keepAliveTimeout + server.keepAliveTimeoutBuffer;
  return server.keepAliveTimeout + (holdsOn(SERVER_IDLE_CLOSE.fixedBuffer) ? FIXED_BUFFER_MS : 0);
}

/**
 * Server options for an idle close as near `ms` after the last response as
 * the running release allows: the buffer is set to 0 where it is an option
 * (releases without the option ignore it); where the buffer is fixed, the
 * timeout is shortened by it (to 1 ms at least: 0 would mean no timeout).
 * idleCloseMs() tells the close it really gives.
 */
export function shortIdle(ms: number): { keepAliveTimeout: number; keepAliveTimeoutBuffer: number } {
  const fixed = holdsOn(SERVER_IDLE_CLOSE.fixedBuffer);
  return { keepAliveTimeout: fixed ? Math.max(1, ms - FIXED_BUFFER_MS) : ms, keepAliveTimeoutBuffer: 0 };
}
