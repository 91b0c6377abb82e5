/**
 * What a Node HTTP server does with `keepAliveTimeout`, per major, measured by
 * specs/keep-alive-timeout.spec.ts:
 *   ≤ 19  closes an idle connection after keepAliveTimeout;
 *   20    after keepAliveTimeout + 1000 ms (a fixed buffer);
 *   ≥ 22  after keepAliveTimeout + server.keepAliveTimeoutBuffer (default 1000).
 * Other specs use this to wait exactly as long as the running Node needs.
 */
import type { Server } from 'node:http';
import { NODE_MAJOR } from './versions';

export function idleCloseMs(server: Server): number {
  if (NODE_MAJOR <= 19) return server.keepAliveTimeout;
  // Undefined on 20, where the 1000 ms buffer is a constant inside Node.
  return server.keepAliveTimeout + (server.keepAliveTimeoutBuffer ?? 1000);
}

/**
 * Server options for the shortest idle close the running Node allows with a
 * `keepAliveTimeout` of `ms`: on ≥ 22 the buffer is set to 0.
 */
export function shortIdle(ms: number): { keepAliveTimeout: number; keepAliveTimeoutBuffer?: number } {
  return NODE_MAJOR >= 22 ? { keepAliveTimeout: ms, keepAliveTimeoutBuffer: 0 } : { keepAliveTimeout: ms };
}
