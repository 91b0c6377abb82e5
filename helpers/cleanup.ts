/**
 * Cleanup registered up front, like web-platform-tests' `t.add_cleanup`.
 *
 * Every helper that opens something (a server, an agent, a socket) calls
 * `defer(close)` as soon as it exists. One `afterEach` hook, installed when
 * this module is first imported by a spec file, runs the deferred tasks in
 * reverse order — also when the test failed half-way. Jest gives each spec
 * file its own module registry, so each file gets its own list and hook.
 */
type Task = () => unknown;

const tasks: Task[] = [];

/** Run `task` after the current test, whatever its outcome. */
export function defer(task: Task): void {
  tasks.push(task);
}

/** Run every deferred task, newest first; rethrow the first failure at the end. */
export async function runDeferred(): Promise<void> {
  const errors: unknown[] = [];
  for (let task = tasks.pop(); task; task = tasks.pop()) {
    try {
      await task();
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length > 0) throw errors[0];
}

if (typeof afterEach === 'function') afterEach(runDeferred);
