// The job worker in its own thread (SQLite): its own connection and event loop, so a busy job never
// stalls an HTTP request on the main thread.
import { parentPort, workerData } from 'node:worker_threads';
import { loadConfig } from './config.js';
import { createContext } from './context.js';
import { jobRegistry } from './job-registry.js';
import { JobRunner } from './jobs/runner.js';

const { env } = workerData as { env: Record<string, string | undefined> };
const ctx = createContext(loadConfig(env));
const runner = new JobRunner(ctx, jobRegistry);
runner.start();
parentPort?.postMessage({ type: 'started', workerId: runner.workerId });
parentPort?.on('message', async (msg: { type: string }) => {
  if (msg.type !== 'stop') return;
  await runner.stop();
  await ctx.close();
  parentPort?.postMessage({ type: 'stopped' });
});
