// Builds the server (tsc) and the web app (vite) when their output is missing or older than the
// sources. `--force` rebuilds regardless. Used by `npm start` and `npm run build`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

function newestMtime(entries) {
  let newest = 0;
  const visit = (p) => {
    let st;
    try {
      st = fs.statSync(p);
    } catch {
      return;
    }
    if (st.isDirectory()) {
      for (const e of fs.readdirSync(p)) if (e !== 'node_modules') visit(path.join(p, e));
    } else newest = Math.max(newest, st.mtimeMs);
  };
  for (const e of entries) visit(path.join(root, e));
  return newest;
}

const targets = [
  {
    name: 'server',
    stamp: 'dist/server/.built',
    sources: ['server', 'tsconfig.json', 'package-lock.json'],
    cmd: [bin('tsc'), ['-p', 'server/tsconfig.build.json']],
  },
  {
    name: 'web app',
    stamp: 'dist/web/.built',
    sources: ['web', 'openapi.json', 'package-lock.json'],
    cmd: [bin('vite'), ['build', '--config', 'web/vite.config.ts', '--logLevel', 'warn']],
  },
];

export function buildIfStale({ force = false } = {}) {
  for (const t of targets) {
    const stamp = path.join(root, t.stamp);
    const built = fs.existsSync(stamp) ? fs.statSync(stamp).mtimeMs : 0;
    if (!force && built >= newestMtime(t.sources)) continue;
    process.stdout.write(`Building the ${t.name}…\n`);
    const started = Date.now();
    const r = spawnSync(t.cmd[0], t.cmd[1], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) {
      process.stderr.write(`Building the ${t.name} failed.\n`);
      process.exit(r.status ?? 1);
    }
    fs.mkdirSync(path.dirname(stamp), { recursive: true });
    fs.writeFileSync(stamp, new Date().toISOString());
    process.stdout.write(`Built the ${t.name} in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`)
  buildIfStale({ force: process.argv.includes('--force') });
