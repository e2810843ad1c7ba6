// The targets of issue 9 checked against a run, and the generated part of docs/benchmarks.md (the
// text between the bench:results markers is rewritten from the newest result file of each dialect).
import fs from 'node:fs';
import path from 'node:path';
import type { LoadFigures } from './common.js';
import { fmtInt, machineInfo, ROOT } from './common.js';
import type { CampusCounts, DialectResult } from './scenarios.js';

export type TargetCheck = { target: string; goal: string; result: string; met: boolean | undefined };

const pct = (x: number | undefined) => (x === undefined ? '–' : `${Math.round(100 * x)}%`);
const ms = (x: number | undefined) => (x === undefined ? '–' : `${x} ms`);

export function evaluateTargets(r: DialectResult): TargetCheck[] {
  const s = r.scenarios;
  const out: TargetCheck[] = [];
  const cap = s.autosaveCapacity;
  if (cap)
    out.push({
      target: `Autosave capacity at 100 connections${r.dialect === 'sqlite' ? '' : ' (the target is set for SQLite)'}`,
      goal: '≥ 35% of hello-world req/s, p99 ≤ 50 ms',
      result: `${pct(cap.ratioToHello)} (${fmtInt(cap.figures.rps)} req/s), p99 ${cap.figures.p99} ms`,
      met: (cap.ratioToHello ?? 0) >= 0.35 && cap.figures.p99 <= 50,
    });
  if (s.steadyExam)
    out.push({
      target: `Steady exam autosave (${fmtInt(s.steadyExam.candidates)} candidates, ${s.steadyExam.rate} req/s)`,
      goal: 'p99 ≤ 50 ms',
      result: `p99 ${s.steadyExam.figures.p99} ms, ${s.steadyExam.figures.errors + s.steadyExam.figures.non2xx} failed`,
      met: s.steadyExam.figures.p99 <= 50 && s.steadyExam.figures.errors + s.steadyExam.figures.non2xx === 0,
    });
  if (s.startStorm)
    out.push({
      target: `Start storm (${fmtInt(s.startStorm.of)} candidates at once)`,
      goal: '≥ 20% of hello-world req/s',
      result: `${pct(s.startStorm.ratioToHello)} (${fmtInt(s.startStorm.figures.rps)} req/s); all started in ${s.startStorm.wallS} s`,
      met: (s.startStorm.ratioToHello ?? 0) >= 0.2 && s.startStorm.started === s.startStorm.of,
    });
  if (s.submitStorm) {
    const g = s.submitStorm.grading;
    out.push(
      {
        target: 'Submit acknowledgement',
        goal: '≥ 20% of hello-world req/s',
        result: `${pct(s.submitStorm.ratioToHello)} (${fmtInt(s.submitStorm.ack.rps)} req/s)`,
        met: (s.submitStorm.ratioToHello ?? 0) >= 0.2,
      },
      {
        target: 'Grading throughput (40 questions)',
        goal: '≥ 500 attempts/s',
        result: `${fmtInt(g.perSecond)} attempts/s (${g.graded} graded, drained ${g.drainS} s after the first submit)`,
        met: g.perSecond >= 500,
      },
      {
        target: 'Submit to result during the storm',
        goal: 'p99 ≤ 5 s',
        result: `p99 ${(g.resultP99Ms / 1000).toFixed(2)} s (p50 ${(g.resultP50Ms / 1000).toFixed(2)} s)`,
        met: g.resultP99Ms <= 5000,
      },
    );
  }
  if (s.recruiterLoad) {
    const rl = s.recruiterLoad;
    out.push(
      {
        target: `Pipeline page, ${fmtInt(rl.candidates)} candidates${rl.pipelineRoute ? '' : ' (no pipeline route yet: the invitation list)'}`,
        goal: 'p99 ≤ 100 ms',
        result: `p99 ${rl.pipeline.p99} ms, ${rl.pipeline.errors + rl.pipeline.non2xx} failed`,
        met: rl.pipeline.p99 <= 100 && rl.pipeline.errors + rl.pipeline.non2xx === 0,
      },
      {
        target: 'Autosave beside the recruiters',
        goal: 'p99 ≤ 2× the steady exam p99',
        result: `p99 ${rl.autosave.p99} ms (${rl.slowdownP99 ?? '–'}×)`,
        met: rl.slowdownP99 === undefined ? undefined : rl.slowdownP99 <= 2,
      },
    );
  }
  if (s.campusDrive) {
    const c = s.campusDrive.counts;
    const f = s.campusDrive.figures;
    out.push({
      target: `Campus drive (${fmtInt(s.campusDrive.candidates)} candidates in ${s.campusDrive.wallS} s)`,
      goal: '0 errors, 0 lost answers, 0 duplicate results',
      result: `${f.errors} errors, ${f.non2xx} non-2xx, ${c.lostAnswers} lost of ${fmtInt(c.answersAcknowledged)} acknowledged answers, ${c.missingResults} missing and ${c.duplicateResults} duplicate results`,
      met:
        f.errors === 0 &&
        f.non2xx === 0 &&
        c.lostAnswers === 0 &&
        c.missingResults === 0 &&
        c.duplicateResults === 0 &&
        c.duplicateResultEmails === 0,
    });
  }
  out.push({
    target: 'Server peak RSS, all scenarios',
    goal: '≤ 300 MB',
    result: `${r.peakRssMb} MB`,
    met: r.peakRssMb > 0 ? r.peakRssMb <= 300 : undefined,
  });
  if (r.startup.npmStartMedianMs !== undefined)
    out.push({
      target: `\`${r.startup.command ?? 'npm start'}\` to ready (built, migrated)`,
      goal: '≤ 2 s',
      result: `${r.startup.npmStartMedianMs} ms (median of ${r.startup.npmStartMs.length})`,
      met: r.startup.npmStartMedianMs <= 2000,
    });
  return out;
}

const mark = (m: boolean | undefined) => (m === undefined ? '–' : m ? 'met' : '**missed**');

type Measured = { rssMb: number; serverCpuS: number; backgroundCpuPct: number } | undefined;

function row(name: string, f: LoadFigures | undefined, m: Measured, ratio: string): string {
  if (!f) return `| ${name} | – | – | – | – | – | – | – | – | – | – |`;
  const cpu =
    m && f.requests && Number.isFinite(m.serverCpuS) ? Math.round((m.serverCpuS * 1e6) / f.requests) : '–';
  return `| ${name} | ${fmtInt(f.rps)} | ${f.p50} | ${f.p975} | ${f.p99} | ${f.errors} | ${f.non2xx} | ${m?.rssMb ?? '–'} | ${cpu} | ${m?.backgroundCpuPct ?? '–'}% | ${ratio} |`;
}

export function markdownFor(
  r: DialectResult & { machine?: ReturnType<typeof machineInfo> },
  file: string,
): string {
  const m = r.machine ?? machineInfo();
  const s = r.scenarios;
  const b = r.baselines;
  const name = r.dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL';
  const lines = [
    `### ${name}: ${r.mode} run of ${r.startedAt.slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `Machine: ${m.cores} cores (${m.cpuModel}), ${m.ramGb} GB RAM, Node ${m.node}, ${m.platform}; the load generator ran on the same machine. Raw data: \`${path.relative(ROOT, file)}\`. Whole run: ${Math.round(r.wallS / 60)} min (seeding ${r.seeding.seconds} s).`,
    '',
    '| Baseline (same run) | Figure |',
    '|---|---|',
    `| Fastify hello-world, 100 connections | ${b.hello ? `${fmtInt(b.hello.rps)} req/s, p50 ${b.hello.p50} ms, p99 ${b.hello.p99} ms${b.helloCpu ? `; ${b.helloCpu.serverCpuUsPerReq} µs CPU/request; other processes ${b.helloCpu.backgroundCpuPct}% of a core` : ''}` : '–'} |`,
    `| Autosave upsert statement, no HTTP | ${b.dbUpsert ? `${fmtInt(b.dbUpsert.rate)}/s, p50 ${b.dbUpsert.p50} ms, p99 ${b.dbUpsert.p99} ms (${b.dbUpsert.concurrency} in flight)` : '–'} |`,
    `| \`${r.startup.command ?? 'npm start'}\` to ready | ${r.startup.npmStartMs.length ? `${r.startup.npmStartMs.join(' / ')} ms` : '–'} |`,
    '',
    '| Scenario | req/s | p50 ms | p97.5 ms | p99 ms | errors | non-2xx | peak RSS MB | server CPU µs/req | other processes (% of a core) | ratio to baseline |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    row(
      'Autosave capacity (closed loop, 100 connections)',
      s.autosaveCapacity?.figures,
      s.autosaveCapacity,
      s.autosaveCapacity
        ? `${pct(s.autosaveCapacity.ratioToHello)} of hello-world; ${pct(s.autosaveCapacity.ratioToUpsert)} of the raw upsert`
        : '–',
    ),
    row(
      `Start storm (${fmtInt(s.startStorm?.of ?? 0)} at once, 100 connections)`,
      s.startStorm?.figures,
      s.startStorm,
      s.startStorm ? `${pct(s.startStorm.ratioToHello)} of hello-world; all in ${s.startStorm.wallS} s` : '–',
    ),
    row(
      `Steady exam (${fmtInt(s.steadyExam?.candidates ?? 0)} candidates, a save each 10 s, paced)`,
      s.steadyExam?.figures,
      s.steadyExam,
      s.steadyExam ? `target rate ${s.steadyExam.rate} req/s` : '–',
    ),
    row(
      `Recruiter pages (${s.recruiterLoad?.pipelineRoute === false ? 'invitation list' : 'pipeline'}, ${fmtInt(s.recruiterLoad?.candidates ?? 0)} candidates)`,
      s.recruiterLoad?.pipeline,
      s.recruiterLoad && { ...s.recruiterLoad, serverCpuS: Number.NaN },
      s.recruiterLoad ? `\`${s.recruiterLoad.route.replace(/[0-9a-f-]{36}/, '{id}')}\`` : '–',
    ),
    row(
      'Autosave beside the recruiter pages',
      s.recruiterLoad?.autosave,
      s.recruiterLoad && { ...s.recruiterLoad, serverCpuS: Number.NaN },
      s.recruiterLoad ? `p99 ${s.recruiterLoad.slowdownP99 ?? '–'}× the steady exam's` : '–',
    ),
    row(
      `Submit storm, acknowledgement (${fmtInt(s.submitStorm?.submitted ?? 0)})`,
      s.submitStorm?.ack,
      s.submitStorm,
      s.submitStorm ? `${pct(s.submitStorm.ratioToHello)} of hello-world` : '–',
    ),
    row(
      `Campus drive (${fmtInt(s.campusDrive?.candidates ?? 0)} candidates × 43 requests)`,
      s.campusDrive?.figures,
      s.campusDrive,
      s.campusDrive ? `${s.campusDrive.wallS} s wall` : '–',
    ),
    '',
  ];
  if (s.submitStorm) {
    const g = s.submitStorm.grading;
    lines.push(
      `Grading during the submit storm: ${g.graded} of ${s.submitStorm.submitted} attempts graded at ${fmtInt(g.perSecond)} attempts/s; the queue drained ${g.drainS} s after the first submit; submit to result p50 ${ms(g.resultP50Ms)}, p99 ${ms(g.resultP99Ms)}, max ${ms(g.resultMaxMs)} (from the database: graded_at − submitted_at).`,
      '',
    );
  }
  if (s.campusDrive) {
    const c = s.campusDrive.counts;
    lines.push(
      `Campus drive counts: ${c.started} started, ${fmtInt(c.answersAcknowledged)} answers acknowledged and ${fmtInt(c.answersStored)} stored, **${c.lostAnswers} lost**; ${c.submitted} submits acknowledged, ${c.graded} graded, **${c.missingResults} missing and ${c.duplicateResults} duplicate results**, ${c.duplicateSubmitEvents} duplicate submit events, ${c.duplicateResultEmails} duplicate result emails.`,
      '',
    );
  }
  lines.push('| Target | Goal | Result | |', '|---|---|---|---|');
  for (const t of evaluateTargets(r))
    lines.push(`| ${t.target} | ${t.goal} | ${t.result} | ${mark(t.met)} |`);
  lines.push('');
  for (const [name, run] of Object.entries(r.profiles ?? {})) {
    for (const thread of ['main', 'worker'] as const) {
      const p = run[thread];
      if (!p) continue;
      const where = thread === 'main' ? 'main thread' : 'job worker thread';
      lines.push(
        `CPU profile, ${run.scenario}, server ${where} (a separate run under \`node --cpu-prof\`: ${fmtInt(run.figures.rps)} req/s while profiled; busy ${p.busyPct}% of ${fmtInt(p.sampledMs)} ms; \`bench/results/profiles/…-${r.dialect}-${name}-${thread}.cpuprofile\`):`,
        '',
        '| Self time by area | % | Top frames by self time | % |',
        '|---|---:|---|---:|',
        ...Array.from({ length: 8 }, (_, i) => {
          const a = p.byArea[i];
          const f = p.topFrames[i];
          return `| ${a?.area ?? ''} | ${a?.selfPct ?? ''} | ${f ? `\`${f.frame.replace(/\|/g, '\\|')}\`` : ''} | ${f?.selfPct ?? ''} |`;
        }),
        '',
      );
    }
  }
  if (r.serverLog.warnings || r.serverLog.errors)
    lines.push(
      `The server logged ${r.serverLog.warnings} warnings and ${r.serverLog.errors} errors during the run.`,
      '',
    );
  return lines.join('\n');
}

const START = '<!-- bench:results:start -->';
const END = '<!-- bench:results:end -->';

function replaceSection(start: string, end: string, body: string): void {
  const docFile = path.join(ROOT, 'docs', 'benchmarks.md');
  const doc = fs.existsSync(docFile) ? fs.readFileSync(docFile, 'utf8') : '# Benchmarks\n';
  const generated = `${start}\n<!-- Generated by the bench scripts; edit bench/lib/report.ts, not this section. -->\n\n${body}${end}`;
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  const next =
    i >= 0 && j > i
      ? doc.slice(0, i) + generated + doc.slice(j + end.length)
      : `${doc.trimEnd()}\n\n${generated}\n`;
  fs.writeFileSync(docFile, next);
}

type Multi = {
  startedAt: string;
  candidates: number;
  instances: number;
  wallS: number;
  figures: LoadFigures;
  counts: CampusCounts;
  webhooks: { expected: number; delivered: number; duplicates: number; missing: number };
  requestsPerInstance: number[];
  jobsPerInstance: Array<{ instance: number; jobs: number; byName: Record<string, number> }>;
  rateLimits: string;
  ok: boolean;
};

/** Rewrites the several-instances section of docs/benchmarks.md from the newest multi-instance run. */
export function regenerateMultiDocs(): void {
  const dir = path.join(ROOT, 'bench', 'results');
  const newest = (fs.existsSync(dir) ? fs.readdirSync(dir) : [])
    .filter((f) => f.endsWith('-multi-instance.json'))
    .sort()
    .at(-1);
  if (!newest) return;
  const file = path.join(dir, newest);
  const m = JSON.parse(fs.readFileSync(file, 'utf8')) as Multi;
  const c = m.counts;
  const f = m.figures;
  const lines = [
    `Run of ${m.startedAt.slice(0, 16).replace('T', ' ')} UTC (\`${path.relative(ROOT, file)}\`): ${m.instances} instances (\`assay serve\`, web and worker roles each) on one PostgreSQL, a round-robin balancer in front (every request to the next instance), ${fmtInt(m.candidates)} candidates × 43 requests in ${m.wallS} s. **${m.ok ? 'Passed' : 'Failed'}.**`,
    '',
    '| Check | Result |',
    '|---|---|',
    `| HTTP | ${fmtInt(f.rps)} req/s, p50 ${f.p50} ms, p99 ${f.p99} ms, ${f.errors} errors, ${f.non2xx} non-2xx; requests per instance ${m.requestsPerInstance.map(fmtInt).join(' / ')} |`,
    `| Answers | ${fmtInt(c.answersAcknowledged)} acknowledged, ${fmtInt(c.answersStored)} stored, ${c.lostAnswers} lost |`,
    `| Results | ${c.submitted} submits acknowledged, ${c.graded} graded, ${c.missingResults} missing, ${c.duplicateResults} duplicate results, ${c.duplicateSubmitEvents} duplicate submit events, ${c.duplicateResultEmails} duplicate result emails |`,
    `| Webhooks (attempt.started / submitted / graded) | ${fmtInt(m.webhooks.expected)} events, ${fmtInt(m.webhooks.delivered)} delivered, ${m.webhooks.missing} missing, ${m.webhooks.duplicates} delivered twice |`,
    ...m.jobsPerInstance.map(
      (j) =>
        `| Jobs seen running on instance ${j.instance} | ${fmtInt(j.jobs)}: ${Object.entries(j.byName)
          .sort((a, b) => b[1] - a[1])
          .map(([k, v]) => `${k} ${fmtInt(v)}`)
          .join(', ')} |`,
    ),
    `| Rate limits with REDIS_URL set | ${m.rateLimits} |`,
    '',
  ];
  replaceSection('<!-- bench:multi:start -->', '<!-- bench:multi:end -->', lines.join('\n'));
}

/** Rewrites the generated section of docs/benchmarks.md from the newest full or quick run of each dialect. */
export function regenerateDocs(): void {
  const dir = path.join(ROOT, 'bench', 'results');
  const files = fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .sort()
    : [];
  const parts: string[] = [];
  for (const dialect of ['sqlite', 'postgres']) {
    const newest = files.filter((f) => f.endsWith(`-${dialect}.json`)).at(-1);
    if (!newest) continue;
    const file = path.join(dir, newest);
    parts.push(markdownFor(JSON.parse(fs.readFileSync(file, 'utf8')), file));
  }
  replaceSection(START, END, parts.join('\n'));
}
