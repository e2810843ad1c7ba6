// Reads a V8 .cpuprofile (node --cpu-prof) and summarises where the main thread spent its time: the
// top frames by self time, and self time grouped by where the code lives (Assay, a package, Node).
import fs from 'node:fs';
import path from 'node:path';
import { round } from './common.js';

type Node = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
};
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };

export type ProfileSummary = {
  file: string;
  sampledMs: number;
  /** Share of samples in which the thread was busy (not idle). */
  busyPct: number;
  topFrames: Array<{ frame: string; selfPct: number }>;
  byArea: Array<{ area: string; selfPct: number }>;
};

function areaOf(url: string, fn: string): string {
  if (fn === '(garbage collector)') return 'garbage collection';
  if (fn === '(program)') return 'V8 / native (program)';
  if (!url) return fn.startsWith('(') ? fn : 'native';
  if (url.startsWith('node:')) return 'node core (http, net, streams…)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return `package ${pkg[1]}`;
  const own = /\/dist\/server\/(.+?)\.js$/.exec(url) ?? /\/server\/(.+?)\.ts$/.exec(url);
  if (own) return `assay ${own[1]?.split('/').slice(0, -1).join('/') || own[1]}`;
  return url;
}

function frameName(n: Node): string {
  const { functionName, url, lineNumber } = n.callFrame;
  const file = url ? url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/dist\//, 'dist/') : '';
  return `${functionName || '(anonymous)'}${file ? ` ${file}:${lineNumber + 1}` : ''}`;
}

/**
 * The profiles in a --cpu-prof directory by thread: file names carry the thread id, 0 being the main
 * thread; the busiest other thread is the job worker (SQLite runs jobs in a worker thread).
 */
export function threadProfiles(dir: string): { main?: string; worker?: string } {
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')) : [];
  const bySize = (list: string[]) =>
    list.map((f) => ({ f, size: fs.statSync(path.join(dir, f)).size })).sort((a, b) => b.size - a.size)[0]?.f;
  const isMain = (f: string) => /^CPU\.\d+\.\d+\.\d+\.0\.\d+\.cpuprofile$/.test(f);
  const main = bySize(files.filter(isMain));
  const worker = bySize(files.filter((f) => !isMain(f)));
  return {
    ...(main ? { main: path.join(dir, main) } : {}),
    ...(worker ? { worker: path.join(dir, worker) } : {}),
  };
}

export function summariseProfile(file: string, top = 15): ProfileSummary {
  const p = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  p.samples.forEach((id, i) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (p.timeDeltas[i] ?? 0));
  });
  let total = 0;
  let idle = 0;
  const frames = new Map<string, number>();
  const areas = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const n = byId.get(id);
    if (!n) continue;
    total += us;
    if (n.callFrame.functionName === '(idle)') {
      idle += us;
      continue;
    }
    const name = frameName(n);
    frames.set(name, (frames.get(name) ?? 0) + us);
    const area = areaOf(n.callFrame.url, n.callFrame.functionName);
    areas.set(area, (areas.get(area) ?? 0) + us);
  }
  const busy = total - idle || 1;
  const pct = (us: number) => round((100 * us) / busy, 1);
  return {
    file: path.basename(file),
    sampledMs: Math.round(total / 1000),
    busyPct: round((100 * (total - idle)) / (total || 1), 1),
    topFrames: [...frames]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([frame, us]) => ({ frame, selfPct: pct(us) })),
    byArea: [...areas]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([area, us]) => ({ area, selfPct: pct(us) })),
  };
}
