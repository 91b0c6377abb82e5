/**
 * Where Node's keep-alive behaviour changed, release by release: the data
 * behind every gate in the specs, in the manner of MDN's browser-compat-data.
 * Each behaviour lists its variants; each variant names the releases it holds
 * on as a semver range over Node's version (`node`) or over the bundled
 * undici's (`undici`, for fetch). The variants of one behaviour partition
 * every release (helpers/versions.ts checks this when a spec loads), and
 * `npm run test:matrix` runs the releases on both sides of each boundary.
 *
 * Every boundary was found by running the suite with gates ignored on all 196
 * releases from 18.14.0 to 26.10.0, and confirmed with `npm run bisect`
 * (each command is noted with what it printed), not guessed from a major.
 */
import type { Gate } from './versions';

/** http.globalAgent is a keep-alive agent. `bisect global-agent --from 18.14.0 --to 19` → 19.0.0 */
export const GLOBAL_AGENT_KEEPS_ALIVE = {
  no: { node: '<19.0.0' },
  yes: { node: '>=19.0.0' },
} satisfies Record<string, Gate>;

/**
 * fetch() sends a Connection request header; older undici refuses it ("invalid
 * connection header"). Node 18.14.0 (undici 5.14.0) and 19.0.0 – 19.5.0 refuse,
 * 18.14.1 (5.19.1) and 19.6.0 (5.16.0) send it.
 * `bisect fetch-connection-options -t Connection --from 19.0.0 --to 19.8.1` → 19.6.0
 */
export const FETCH_SENDS_CONNECTION_HEADER = {
  no: { undici: '<5.16.0' },
  yes: { undici: '>=5.16.0' },
} satisfies Record<string, Gate>;

/**
 * When a Node server closes an idle kept-alive connection (after the last
 * response), and whether the buffer is an option. The buffer came with Node
 * PR #54863 (20.18.0, 22.9.0, 23.0.0; never 21.x); the option with #59243
 * (22.19.0, 24.6.0).
 * `bisect keep-alive-timeout-server-close -t "fixed buffer" --from 20.0.0 --to 20.20.2` → 20.18.0
 * `bisect keep-alive-timeout-server-close -t "keepAliveTimeoutBuffer after" --from 22.9.0 --to 22.23.3` → 22.19.0
 */
export const SERVER_IDLE_CLOSE = {
  /** At keepAliveTimeout, as advertised. */
  atTimeout: { node: '<20.18.0 || >=21.0.0 <22.9.0' },
  /** At keepAliveTimeout + 1000 ms, a constant. */
  fixedBuffer: { node: '>=20.18.0 <21.0.0 || >=22.9.0 <22.19.0 || >=23.0.0 <24.6.0' },
  /** At keepAliveTimeout + server.keepAliveTimeoutBuffer (an option, default 1000). */
  bufferOption: { node: '>=22.19.0 <23.0.0 || >=24.6.0' },
} satisfies Record<string, Gate>;

/** The releases where the server adds a fixed 1000 ms to keepAliveTimeout (helpers/node-server.ts). */
export const SERVER_FIXED_IDLE_BUFFER: Gate = SERVER_IDLE_CLOSE.fixedBuffer;

/**
 * What an agent does with the server's `Keep-Alive: timeout=N` hint
 * (lib/_http_agent.js, keepSocketAlive). Read since 19.0.0; the 1 s buffer
 * came with the server's (PR #54863: 20.18.0, 22.9.0, 23.0.0); the agent
 * option one release after the server's (PR #59315: 22.20.0, 24.7.0).
 * `bisect keep-alive-timeout-agent-hint -t "agentKeepAliveTimeoutBuffer: 500" --from 24.0.0 --to 24.21.0` → 24.7.0
 * `bisect keep-alive-timeout-agent-hint -t "no more than the 1 s safety buffer" --from 22.0.0 --to 22.23.3` → 22.9.0 (20.x: 20.18.0)
 */
export const AGENT_HINT = {
  /** Not read at all. */
  ignored: { node: '<19.0.0' },
  /** Read: an agent with its own `timeout` longer than N s shortens it to N s. */
  exact: { node: '>=19.0.0 <20.18.0 || >=21.0.0 <22.9.0' },
  /** Read with a 1000 ms buffer: timer N s − 1 s; N ≤ 1 means "do not pool". */
  buffered: { node: '>=20.18.0 <21.0.0 || >=22.9.0 <22.20.0 || >=23.0.0 <24.7.0' },
  /** As buffered, the buffer being the agent option agentKeepAliveTimeoutBuffer (default 1000). */
  bufferOption: { node: '>=22.20.0 <23.0.0 || >=24.7.0' },
  /** buffered and bufferOption together: the hint less a buffer; timeout=1 stops pooling. */
  withBuffer: { node: '>=20.18.0 <21.0.0 || >=22.9.0' },
  /** ignored and exact together: no buffer; timeout=1 still pools. */
  withoutBuffer: { node: '<20.18.0 || >=21.0.0 <22.9.0' },
} satisfies Record<string, Gate>;

/**
 * A response whose handler removed the Connection header: the server keeps
 * the connection (HTTP/1.1's default), or closes it without saying so.
 * `bisect connection-close -t "removes the Connection" --from 19.0.0 --to 20` → 20.0.0
 */
export const REMOVED_CONNECTION_HEADER = {
  closesSilently: { node: '<20.0.0' },
  keepsConnection: { node: '>=20.0.0' },
} satisfies Record<string, Gate>;

/**
 * server.close() also closes idle keep-alive connections. Since 19.0.0; on
 * 18.x only in 18.19.0 – 18.20.2, a backport reverted in 18.20.3 as a
 * regression (Node issue #51677).
 * `bisect server-close-idle -t "server.close" --from 18.14.0 --to 18.20.2` → 18.19.0;
 * `bisect server-close-idle -t "server.close" --from 18.19.0 --to 18.20.8` → 18.20.3
 */
export const SERVER_CLOSE_ENDS_IDLE = {
  no: { node: '<18.19.0 || >=18.20.3 <19.0.0' },
  yes: { node: '>=18.19.0 <18.20.3 || >=19.0.0' },
} satisfies Record<string, Gate>;

/**
 * closeIdleConnections() also closes a connection that has not sent a request
 * yet. Since 26.4.0 only (not in 24.x or 25.x).
 * `bisect server-close-idle -t "not sent a request" --from 26.0.0 --to 26.10.0` → 26.4.0
 */
export const CLOSE_IDLE_ENDS_UNUSED = {
  no: { node: '<26.4.0' },
  yes: { node: '>=26.4.0' },
} satisfies Record<string, Gate>;

/**
 * Bytes arriving on an idle pooled socket make the agent close it (before:
 * dropped, socket reused). Since 26.3.1, 24.17.0 and 22.23.0; never in 23.x
 * or 25.x, nor in 20.x.
 * `bisect stray-bytes-on-idle-socket --from 24.0.0 --to 24.21.0` → 24.17.0 (22.x: 22.23.0; 26.x: 26.3.1)
 */
export const STRAY_BYTES_CLOSE_IDLE_SOCKET = {
  no: { node: '<22.23.0 || >=23.0.0 <24.17.0 || >=25.0.0 <26.3.1' },
  yes: { node: '>=22.23.0 <23.0.0 || >=24.17.0 <25.0.0 || >=26.3.1' },
} satisfies Record<string, Gate>;

/**
 * fetch()'s keepAliveTimeoutThreshold: the hint less 1 s, or less 2 s since
 * undici PR #3145 (undici 6.14.0). Among Node releases: 6.13.0 (20.15.1,
 * 22.2.0) has 1 s, 6.18.2 (22.3.0) and 6.19.2 (20.16.0) have 2 s; 21.x never.
 * `bisect fetch-keep-alive-hint -t "timeout=2" --from 20.13.0 --to 20.20.2` → 20.16.0
 */
export const FETCH_HINT_THRESHOLD = {
  oneSecond: { undici: '<6.14.0' },
  twoSeconds: { undici: '>=6.14.0' },
} satisfies Record<string, Gate>;

/**
 * res.body.cancel() on a body still arriving destroys the connection. Not in
 * undici 6.6.2 – 6.11.1 (Node 21.7.x, 22.0.0): there the cancelled connection
 * stays open, unusable, and the next fetch opens another.
 * `bisect fetch-unconsumed-body -t cancel --from 21.6.2 --to 22.0.0` → 21.7.0; `--from 22.0.0 --to 22.1.0` → 22.1.0
 */
export const FETCH_CANCEL_DESTROYS = {
  no: { undici: '>=6.6.2 <6.13.0' },
  yes: { undici: '<6.6.2 || >=6.13.0' },
} satisfies Record<string, Gate>;

/**
 * Node issue #53458 (open): the idle timer keepSocketAlive() set from a
 * `Keep-Alive: timeout=N` hint stays on the socket when the agent reuses it,
 * so the next request on it times out after the hint (less the buffer), not
 * after the agent's own `timeout`. Since the agent reads the hint (19.0.0);
 * still so on 26.12.1.
 * `bisect agent-hint-shortens-timeout --from 18.14.0 --to 19.0.0` → 19.0.0 (last release before: 18.20.8); run by hand on 19.0.0, 20.20.2, 22.8.0, 22.23.3, 24.21.0, 26.10.0, 26.12.1: the same
 */
export const HINT_TIMER_KEPT_ON_REUSE = {
  no: { node: '<19.0.0' },
  yes: { node: '>=19.0.0' },
} satisfies Record<string, Gate>;

/**
 * A reset (RST) of an idle pooled connection: the free socket emits 'error'
 * ECONNRESET before 'close' (the agent's free-socket error listener takes
 * it), or, since 22.23.1, 24.18.0 and 26.4.0, only 'close'. Either way the
 * socket leaves the pool. Never in 23.x or 25.x.
 * `bisect agent-error-on-idle -t "resets the idle" --from 22.23.0 --to 22.23.3` → 22.23.1;
 * `--from 24.17.0 --to 24.21.0` → 24.18.0; `--from 26.3.1 --to 26.10.0` → 26.4.0
 */
export const IDLE_RESET_EMITS_ERROR = {
  yes: { node: '<22.23.1 || >=23.0.0 <24.18.0 || >=25.0.0 <26.4.0' },
  no: { node: '>=22.23.1 <23.0.0 || >=24.18.0 <25.0.0 || >=26.4.0' },
} satisfies Record<string, Gate>;

/**
 * A free socket whose server sent a FIN (no `Connection: close`) and which
 * the agent hands to a request before it has read that FIN (the next request
 * in process.nextTick after 'end', Node issue #47130): written on and lost,
 * ECONNRESET "socket hang up" with reusedSocket true — or, since 22.23.5,
 * 24.22.1 and 26.12.1, seen closed and passed over: the request gets a new
 * connection. Never in 23.x or 25.x (25.9.0 measured).
 * Run by hand on 18.14.0, 20.0.0, 20.20.2, 22.23.3, 24.21.0, 25.9.0 (reused)
 * and 22.23.5, 24.22.1, 24.22.3, 26.12.1 (passed over); the registry has no
 * release between 22.23.3 and 22.23.5, 24.21.0 and 24.22.1, 26.10.0 and 26.12.1.
 * `bisect server-fin-reuse-race -t nextTick --from 26.10.0 --to 26.12.1` → 26.12.1; `--from 24.21.0 --to 24.22.1` → 24.22.1;
 * `--from 22.23.3 --to 22.23.5` → 22.23.5
 */
export const AGENT_REUSES_SOCKET_AFTER_FIN = {
  yes: { node: '<22.23.5 || >=23.0.0 <24.22.1 || >=25.0.0 <26.12.1' },
  no: { node: '>=22.23.5 <23.0.0 || >=24.22.1 <25.0.0 || >=26.12.1' },
} satisfies Record<string, Gate>;

/**
 * fetch() (undici) holds a request for an idle pooled connection until the
 * event loop has polled that socket (its idle-socket validation, advisory
 * GHSA-35p6-xmwp-9g52), so a FIN already in the kernel is seen and the
 * request goes to a new connection. Read in undici's
 * lib/dispatcher/client-h1.js, scheduleIdleSocketValidation, of each undici
 * that Node bundles:
 *   none — the request is written at once: < 6.27.0, 7.0 – 7.27, 8.0 – 8.4;
 *   a 1 ms timer (setTimeout 0), which runs before the poll phase once the
 *   loop has been busy for 1 ms, so it does not hold the request: 6.27.0 –
 *   6.28.0, 7.28.0 – 7.29.0, 8.5.0 – 8.7.x, 8.10.0 – 8.10.1;
 *   setImmediate, after the poll phase: 6.28.1+, 7.29.1+, 8.8.0 – 8.9.x
 *   (unref'd: FETCH_REUSE_STALLS) and 8.10.2+.
 * Among Node releases: since 22.23.3, 24.21.0, 26.5.1 – 26.7.x and 26.8.2.
 * `bisect server-fin-reuse-race -t fetch --from 26.8.0 --to 26.10.0` → 26.8.2 (last before: 26.8.1); `--from 26.3.1 --to 26.5.1` → 26.5.1;
 * `--from 24.18.1 --to 24.21.0` → 24.21.0; `--from 22.23.0 --to 22.23.3` → 22.23.3
 */
export const FETCH_WAITS_FOR_IDLE_SOCKET_POLL = {
  no: { undici: '<6.28.1 || >=7.0.0 <7.29.1 || >=8.0.0 <8.8.0 || >=8.10.0 <8.10.2' },
  yes: { undici: '>=6.28.1 <7.0.0 || >=7.29.1 <8.0.0 || >=8.8.0 <8.10.0 || >=8.10.2' },
} satisfies Record<string, Gate>;

/**
 * fetch() reusing an idle connection on an otherwise idle event loop waits
 * for undici's next timer tick (up to ~500 ms) before it writes the request:
 * the unref'd setImmediate of undici 8.8.0 – 8.9.x (undici issue #5600,
 * fixed by #5606 in 8.10.0). Among Node releases: 26.5.1 – 26.7.x (8.9.0).
 * `bisect fetch-idle-socket-reuse -t "reuses on one connection" --from 26.5.0 --to 26.5.1` → 26.5.1; `--from 26.5.1 --to 26.8.0` → 26.8.0
 */
export const FETCH_REUSE_STALLS = {
  no: { undici: '<8.8.0 || >=8.10.0' },
  yes: { undici: '>=8.8.0 <8.10.0' },
} satisfies Record<string, Gate>;

/**
 * How fetch() (undici, lib/core/util.js parseKeepAliveTimeout) finds the
 * timeout in a Keep-Alive hint: the digits after `timeout=` anywhere in the
 * header, case-sensitively (/timeout=(\d+)/: `xtimeout=1` counts,
 * `Timeout=1` does not), or, since undici 8.12.0, only a parameter named
 * timeout, in any case (/(?:^|,)[\t ]*timeout=(\d+)/i). Read in undici
 * 8.10.2, 8.11.0 – 8.11.2 (anywhere) and 8.12.0 (by parameter); among Node
 * releases 26.12.1 (undici 8.12.2) is the first, 26.10.0 (8.10.2) the last before.
 * `bisect fetch-keep-alive-hint-units -t Timeout=1 --from 26.10.0 --to 26.12.1` → 26.12.1
 */
export const FETCH_HINT_PARSER = {
  anywhere: { undici: '<8.12.0' },
  byParameter: { undici: '>=8.12.0' },
} satisfies Record<string, Gate>;

/**
 * An https.Agent's pool key (getName) holds `ca` as its text joined with ','
 * — so `ca: cert` and `ca: [cert]` are one key — or, since 22.23.5 and
 * 24.22.3, each value typed and length-prefixed ("v644:<base64>", an array
 * "a1:…"), so a one-element array is another key. Not yet in 26.x (26.12.1).
 * A copy of the same Buffer is the same key either way.
 * `bisect https-pool-key -t "ca in an array" --from 22.23.3 --to 22.23.5` → 22.23.5;
 * `--from 24.22.1 --to 24.22.3` → 24.22.3 (no 22.23.4 or 24.22.2 in the registry)
 */
export const HTTPS_KEY_CA_ARRAY_IS_SAME = {
  yes: { node: '<22.23.5 || >=23.0.0 <24.22.3 || >=25.0.0' },
  no: { node: '>=22.23.5 <23.0.0 || >=24.22.3 <25.0.0' },
} satisfies Record<string, Gate>;

/** Every gate above, for the boundary matrix. */
export function allGates(): Gate[] {
  const isGate = (v: unknown): v is Gate => typeof v === 'object' && v !== null && ('node' in v || 'undici' in v);
  const out: Gate[] = [];
  for (const value of Object.values(module.exports as Record<string, unknown>)) {
    if (isGate(value)) out.push(value);
    else if (typeof value === 'object' && value !== null) out.push(...Object.values(value).filter(isGate));
  }
  return out;
}
