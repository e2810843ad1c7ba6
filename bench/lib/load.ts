// Runs one load spec in a separate process (bench/load-worker.ts) and waits for its figures.
import { fork } from 'node:child_process';
import path from 'node:path';
import type { LoadReply, LoadSpec } from '../load-worker.js';
import { ROOT } from './common.js';

export type { LoadReply, LoadSpec };

/** CPU seconds used by all load processes so far (to tell the machine's other load apart). */
export const loadCpu = { seconds: 0 };

export function runLoad(spec: LoadSpec): Promise<LoadReply> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(ROOT, 'bench', 'load-worker.ts'), [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let settled = false;
    child.on('message', (msg: { type: string; reply?: LoadReply; error?: string }) => {
      settled = true;
      if (msg.type === 'result' && msg.reply) {
        loadCpu.seconds += msg.reply.cpuS;
        resolve(msg.reply);
      } else reject(new Error(`load worker failed: ${msg.error}`));
    });
    child.on('exit', (code) => {
      if (!settled) reject(new Error(`load worker exited with ${code} before reporting`));
    });
    child.send({ type: 'run', spec });
  });
}
