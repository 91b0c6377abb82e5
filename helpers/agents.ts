/**
 * Agents that clean up after themselves: destroyed (every pooled socket
 * closed) after the current test, so no idle socket keeps Jest alive.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { defer } from './cleanup';

/** `new http.Agent({ keepAlive: true, ...options })`, destroyed after the test. */
export function keepAliveAgent(options: http.AgentOptions = {}): http.Agent {
  return tracked(new http.Agent({ keepAlive: true, ...options }));
}

/** `new https.Agent({ keepAlive: true, ...options })`, destroyed after the test. */
export function keepAliveHttpsAgent(options: https.AgentOptions = {}): https.Agent {
  return tracked(new https.Agent({ keepAlive: true, ...options }));
}

/** Destroy `agent` after the current test; returns it. */
export function tracked<A extends http.Agent>(agent: A): A {
  defer(() => agent.destroy());
  return agent;
}

/** Whether `agent` keeps sockets alive (`agent.keepAlive`, missing from @types/node). */
export function keepsAlive(agent: http.Agent): boolean {
  return (agent as http.Agent & { keepAlive: boolean }).keepAlive;
}

/** How many requests wait in the agent's queue (`agent.requests`), all hosts together. */
export function queuedRequests(agent: http.Agent): number {
  return Object.values(agent.requests).reduce((n, list) => n + (list?.length ?? 0), 0);
}

/** Every socket the agent holds, busy and free, for host:port keys. */
export function pooledSockets(agent: http.Agent): { busy: number; free: number } {
  const count = (sets: NodeJS.ReadOnlyDict<unknown[]>) =>
    Object.values(sets).reduce((n, list) => n + (list?.length ?? 0), 0);
  return { busy: count(agent.sockets), free: count(agent.freeSockets) };
}

/** Whether `socket` sits in the agent's pool of free sockets. */
export function isPooled(agent: http.Agent, socket: unknown): boolean {
  return Object.values(agent.freeSockets).some((list) => list?.includes(socket as never));
}
