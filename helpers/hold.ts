/**
 * A handler that holds responses until the spec releases them, so a spec can
 * look at the moment several requests are outstanding at once: how many
 * reached the server, on how many connections, and what the client queued.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Handler } from './server';

export interface Held {
  req: IncomingMessage;
  res: ServerResponse;
}

export interface Holder {
  /** Pass as `startServer({ handler })`. */
  handler: Handler;
  /** Requests that arrived and have not been answered yet, in arrival order. */
  held: Held[];
  /** How many requests have arrived in all. */
  arrivedCount(): number;
  /** Resolves once `n` requests have arrived in all. */
  arrived(n: number): Promise<void>;
  /** Answer the oldest held request with its peer port. */
  releaseOne(): void;
  /** Answer every held request, and from now on answer new ones at once. */
  releaseAll(): void;
}

const answer = ({ req, res }: Held) => res.end(String(req.socket.remotePort));

export function holdResponses(): Holder {
  const held: Held[] = [];
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  let count = 0;
  let open = false;
  const wake = () => {
    for (const waiter of waiters.filter((w) => count >= w.n)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  };
  return {
    handler: (req, res) => {
      req.resume();
      count++;
      if (open) answer({ req, res });
      else held.push({ req, res });
      wake();
    },
    held,
    arrivedCount: () => count,
    arrived: (n) => (count >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve }))),
    releaseOne: () => {
      const next = held.shift();
      if (next) answer(next);
    },
    releaseAll: () => {
      open = true;
      for (let next = held.shift(); next; next = held.shift()) answer(next);
    },
  };
}
