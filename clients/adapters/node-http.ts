/** Shared by the adapters that call http.request with some agent. */
import * as http from 'node:http';
import type { ClientResponse, RequestOptions } from '../contract';
import { plainHeaders } from '../contract';

export function httpRequest(url: string, options: RequestOptions, agent: http.Agent | undefined): Promise<ClientResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method, headers: options.headers, agent, timeout: options.timeoutMs });
    req.on('timeout', () => req.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: plainHeaders(res.headers), body: Buffer.concat(chunks).toString() }));
    });
    req.end(options.body);
  });
}
