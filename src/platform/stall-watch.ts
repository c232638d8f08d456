import { monitorEventLoopDelay } from 'node:perf_hooks';

/** Event-loop delay above which a process says so in its log (the national-scale target: none above 200 ms). */
export const STALL_MS = Number(process.env.EVENT_LOOP_STALL_MS ?? 200);

/**
 * Watches this process's event loop and logs one warning line per second in which the loop was blocked
 * longer than {@link STALL_MS} (`{"msg":"event loop stalled","ms":…}`), so a long synchronous piece of work —
 * an allocation, a large JSON, a sort — shows up in the logs of whichever process ran it. Returns a stop.
 */
export function watchEventLoop(log: (msg: string, fields: Record<string, unknown>) => void): () => void {
  const h = monitorEventLoopDelay({ resolution: 20 });
  h.enable();
  const timer = setInterval(() => {
    const maxMs = h.max / 1e6;
    h.reset();
    if (maxMs > STALL_MS) log('event loop stalled', { ms: Math.round(maxMs) });
  }, 1000);
  timer.unref();
  return () => {
    clearInterval(timer);
    h.disable();
  };
}
