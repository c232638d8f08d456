import { createServer, type Server } from 'node:http';
import type { Metrics } from './metrics.js';

/** One readiness check of the internal port's `/health`: throws (or rejects) when the dependency is down. */
export type ProbeCheck = () => Promise<unknown>;

const withTimeout = <T>(p: Promise<T>, ms: number): Promise<T> =>
  Promise.race([p, new Promise<T>((_, rej) => setTimeout(() => rej(new Error(`timeout after ${ms} ms`)), ms).unref())]);

/**
 * The internal port (METRICS_PORT) of any process, workers included: `GET /metrics` (Prometheus text) and
 * `GET /health` (200 `{"status":"ok",…}` when every check answers, 503 `{"status":"error",…}` otherwise).
 * Nothing else is served; keep the port off the public network.
 */
export async function startMetricsServer(port: number, metrics: Metrics, checks: Record<string, ProbeCheck>): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET' }).end();
      return;
    }
    if (path === '/metrics') {
      metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'Content-Type': metrics.registry.contentType }).end(text),
        (e: Error) => res.writeHead(500, { 'Content-Type': 'text/plain' }).end(e.message),
      );
      return;
    }
    if (path === '/health') {
      const names = Object.keys(checks);
      void Promise.allSettled(names.map((n) => withTimeout(checks[n](), 2000))).then((results) => {
        const details: Record<string, { status: 'up' | 'down'; message?: string }> = {};
        results.forEach((r, i) => {
          details[names[i]] = r.status === 'fulfilled' ? { status: 'up' } : { status: 'down', message: (r.reason as Error)?.message };
        });
        const ok = results.every((r) => r.status === 'fulfilled');
        res.writeHead(ok ? 200 : 503, { 'Content-Type': 'application/json' }).end(JSON.stringify({ status: ok ? 'ok' : 'error', details }));
      });
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}
