/**
 * Rule seed-experiments: the blog's two experiments, replayed as the
 * standalone programs in fixtures/seed/ and run as they are, with what they
 * print asserted on the running release.
 *
 * 1. No agent option, two POSTs fired without waiting: two connections, on
 *    every release — they overlap, so even a keep-alive agent needs two. On
 *    Node before 19.0.0 the global agent also says `Connection: close`; since
 *    19.0.0 it says keep-alive (see global-agent). And "path2", written
 *    without its leading slash, never reaches the handler today: the server's
 *    parser rejects the request line and Node answers 400 Bad Request.
 * 2. One keep-alive agent (maxSockets 5, maxFreeSockets 5), the next GET in
 *    process.nextTick after 'end': one connection, the same client port twice.
 *
 * Source: the seed (the blog's two programs); RFC 9112 §3.2 (a request
 * target in origin-form starts with "/"); Node docs, `http.globalAgent`.
 * Versions: the first program's Connection header changed in 19.0.0
 * (GLOBAL_AGENT_KEEPS_ALIVE); the rest is the same on every release.
 */
import * as path from 'node:path';
import { runProgram } from '../helpers/program';
import { byRelease } from '../helpers/versions';
import { GLOBAL_AGENT_KEEPS_ALIVE } from '../helpers/release-gates';

const program = (name: string) => path.join(__dirname, '..', 'fixtures', 'seed', `${name}.cjs`);

/** The client ports in "server: connection from port N" lines. */
const connectionsSeen = (lines: string[]) => lines.filter((l) => l.startsWith('server: connection from port'));
/** "server: request from port N: METHOD URL, Connection: X" → its parts. */
function requestsSeen(lines: string[]) {
  return lines
    .map((l) => /^server: request from port (\d+): (\S+) (\S+), Connection: (\S+)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ port: Number(m[1]), method: m[2], url: m[3], connection: m[4] }));
}

describe("the blog's two experiments, run as they were written", () => {
  const firstExperiment = (connection: string) => async () => {
    const { code, lines } = await runProgram(program('first-experiment'));

    expect(code).toBe(0);
    // Two connections: the POSTs overlap, so the second cannot wait for the first's socket.
    expect(connectionsSeen(lines)).toHaveLength(2);
    // Only "/path1" reaches the handler; "path2" is refused by the parser with 400.
    expect(requestsSeen(lines)).toEqual([{ port: expect.any(Number), method: 'POST', url: '/path1', connection }]);
    expect(lines).toContain(`client: /path1 answered 200, Connection: ${connection}`);
    expect(lines).toContain('client: path2 answered 400, Connection: close');
  };
  byRelease([
    {
      on: GLOBAL_AGENT_KEEPS_ALIVE.no,
      title: 'the first (no agent, two POSTs at once) uses two connections, and /path1 says Connection: close; "path2" is answered 400 Bad Request',
      test: firstExperiment('close'),
    },
    {
      on: GLOBAL_AGENT_KEEPS_ALIVE.yes,
      title: 'the first (no agent, two POSTs at once) uses two connections though /path1 says Connection: keep-alive; "path2" is answered 400 Bad Request',
      test: firstExperiment('keep-alive'),
    },
  ]);

  it('the second (one keep-alive agent, next GET in process.nextTick after end) reaches the server twice from the same client port', async () => {
    const { code, lines } = await runProgram(program('second-experiment'));
    const requests = requestsSeen(lines);

    expect(code).toBe(0);
    expect(connectionsSeen(lines)).toHaveLength(1);
    expect(requests.map((r) => r.url)).toEqual(['/first', '/second']);
    expect(requests[1]!.port).toBe(requests[0]!.port);
    expect(lines.filter((l) => l.startsWith('client:')).map((l) => l.replace(/local port \d+/, 'local port P'))).toEqual([
      'client: /first answered 200 on local port P, reused socket: false',
      'client: /second answered 200 on local port P, reused socket: true',
    ]);
  });
});
