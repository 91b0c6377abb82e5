/** Small shared pieces of the rules: findings in words, from what the server saw. */
import { setImmediate as macrotask } from 'node:timers/promises';
import type { ServerFixture } from '../helpers/server';

export { macrotask };

/** "1 connection", "3 connections". */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The Connection headers the server saw, in words: "Connection: keep-alive", "Connection: close", "no Connection header". */
export function connectionHeaders(server: ServerFixture): string {
  const seen = [...new Set(server.requests.map((r) => r.connectionHeader?.toLowerCase() ?? 'none'))];
  return seen.map((h) => (h === 'none' ? 'no Connection header' : `Connection: ${h}`)).join(' then ');
}

/** How many times the server saw `url`. */
export function timesSeen(server: ServerFixture, url: string): number {
  return server.requests.filter((r) => r.url === url).length;
}
