/**
 * Node binaries for the matrix, from the npm registry's `node` package
 * (which ships the real binary for this platform), installed on demand into
 * .cache/node/<major>/ and reused after. No system-wide install, no sudo.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './jest-run';

export const DEFAULT_MAJORS = [18, 20, 22, 24, 26];

/** Majors from the command line, else MATRIX_NODES ("18 20,22"), else the default. */
export function majorsFrom(args: string[]): number[] {
  const given = args.filter((a) => /^\d+$/.test(a)).map(Number);
  if (given.length > 0) return given;
  const env = (process.env.MATRIX_NODES ?? '').split(/[\s,]+/).filter(Boolean).map(Number);
  return env.length > 0 ? env : DEFAULT_MAJORS;
}

/** Path of a `node` binary of `major`: this process's own if it matches, else a cached or fresh install. */
export function nodeBinary(major: number): string {
  if (Number(process.versions.node.split('.')[0]) === major) return process.execPath;
  const prefix = path.join(ROOT, '.cache', 'node', String(major));
  const bin = path.join(prefix, 'node_modules', 'node', 'bin', 'node');
  if (!existsSync(bin)) {
    process.stdout.write(`  installing node@${major} from the npm registry into .cache/node/${major} ...\n`);
    execFileSync('npm', ['install', '--prefix', prefix, '--no-save', '--no-audit', '--no-fund', '--loglevel=error', `node@${major}`], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  if (!existsSync(bin)) throw new Error(`node@${major} did not install a binary at ${bin}`);
  return bin;
}
