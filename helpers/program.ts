/**
 * Run a standalone Node program (such as fixtures/seed/*.js) with the running
 * runtime, as its own process, and collect what it printed. Bounded: killed
 * after `ms`, and after the test whatever happened.
 */
import { spawn } from 'node:child_process';
import { defer } from './cleanup';
import { within } from './wait';
import { recordAfterTest, timelineDir } from './evidence';

export interface ProgramOutput {
  code: number | null;
  lines: string[];
}

export function runProgram(file: string, ms = 5_000): Promise<ProgramOutput> {
  // Deno runs a script only through `deno run`, with permissions.
  const args = 'Deno' in globalThis ? ['run', '-A', file] : [file];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  defer(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let stdout = '';
  // For the report's timeline (helpers/evidence.ts): when each line arrived, only where KA_TIMELINE_DIR is set.
  const stamps: number[] | undefined = timelineDir() ? [] : undefined;
  recordAfterTest(`${file.split(/[\\/]/).pop()} printed`, () => stdout.split('\n').filter(Boolean), stamps && (() => stamps));
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    stdout += chunk;
    if (!stamps) return;
    const complete = stdout.slice(0, stdout.lastIndexOf('\n') + 1).split('\n').filter(Boolean).length;
    while (stamps.length < complete) stamps.push(performance.now());
  });
  const exited = new Promise<ProgramOutput>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, lines: stdout.split('\n').filter(Boolean) }));
  });
  return within(ms, `${file} exiting`, exited);
}
