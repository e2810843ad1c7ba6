// `npm run bench`: the benchmark suite. Builds if needed, then for each dialect seeds a fresh
// database, measures the baselines (Fastify hello-world, the raw autosave upsert, `npm start`), starts
// the real server in production mode and drives the scenarios from a separate load process. Writes
// bench/results/<timestamp>-<dialect>.json and the summary in docs/benchmarks.md.
//
//   npm run bench                          SQLite, full scale (about 15 minutes)
//   npm run bench -- --dialect postgres    PostgreSQL (TEST_DATABASE_URL, or postgres://postgres@127.0.0.1:5432/test)
//   npm run bench -- --dialect both --quick   both, with the long scenarios shortened (about 5 minutes each)
//   npm run bench -- --only capacity,steady   some scenarios only
//   npm run bench -- --no-build            use dist/ as it is
//   npm run bench:smoke                    a few seconds per scenario, tiny cohorts, no targets (CI)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Dialect } from '../server/db/database.js';
import { log, machineInfo, writeJson } from './lib/common.js';
import { evaluateTargets, regenerateDocs } from './lib/report.js';
import { type Mode, resultsFile, runDialect, type ScenarioName, scenarioNames } from './lib/scenarios.js';
import { ensureBuilt } from './lib/server.js';

const { values } = parseArgs({
  options: {
    dialect: { type: 'string', default: 'sqlite' },
    quick: { type: 'boolean', default: false },
    smoke: { type: 'boolean', default: false },
    only: { type: 'string' },
    'no-profile': { type: 'boolean', default: false },
    'no-docs': { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
  },
});

const dialects: Dialect[] =
  values.dialect === 'both'
    ? ['sqlite', 'postgres']
    : values.dialect === 'postgres'
      ? ['postgres']
      : ['sqlite'];
if (!['sqlite', 'postgres', 'both'].includes(values.dialect ?? '')) {
  process.stderr.write('--dialect must be sqlite, postgres or both\n');
  process.exit(2);
}
const mode: Mode = values.smoke ? 'smoke' : values.quick ? 'quick' : 'full';
const only = new Set<ScenarioName>(
  values.only ? (values.only.split(',').map((s) => s.trim()) as ScenarioName[]) : scenarioNames,
);
for (const s of only)
  if (!scenarioNames.includes(s)) {
    process.stderr.write(`Unknown scenario ${s}; choose from ${scenarioNames.join(', ')}\n`);
    process.exit(2);
  }

if (!values['no-build']) ensureBuilt();
const machine = machineInfo();
log(
  `machine: ${machine.cores} cores, ${machine.ramGb} GB, Node ${machine.node}; mode ${mode}; ${dialects.join(' + ')}`,
);
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'assay-bench-work-'));
let failed = false;
try {
  for (const dialect of dialects) {
    const r = await runDialect(dialect, {
      mode,
      only,
      profile: mode !== 'smoke' && !values['no-profile'],
      workDir,
      directStart: values['no-build'],
    });
    const withMachine = { ...r, machine };
    if (mode === 'smoke') {
      // CI: the harness must work end to end; timings decide nothing, so nothing is kept.
      const problems: string[] = [];
      const c = r.scenarios.campusDrive?.counts;
      if (c && (c.lostAnswers || c.missingResults || c.duplicateResults))
        problems.push(`campus drive counts are wrong: ${JSON.stringify(c)}`);
      if (only.has('start') && (r.scenarios.startStorm?.started ?? 0) === 0)
        problems.push('no candidate started');
      if (only.has('capacity') && !r.scenarios.autosaveCapacity?.figures.requests)
        problems.push('no autosave completed');
      for (const p of problems) log(`SMOKE FAILURE (${dialect}): ${p}`);
      if (problems.length) failed = true;
      else log(`smoke run on ${dialect} passed (${r.wallS} s)`);
      continue;
    }
    const file = resultsFile(r);
    writeJson(file, withMachine);
    log(`${dialect}: results written to ${path.relative(process.cwd(), file)}`);
    for (const t of evaluateTargets(r))
      log(
        `  ${t.met === undefined ? '–' : t.met ? 'met   ' : 'MISSED'}  ${t.target}: ${t.result} (goal ${t.goal})`,
      );
  }
  if (mode !== 'smoke' && !values['no-docs']) {
    regenerateDocs();
    log('docs/benchmarks.md regenerated');
  }
} catch (err) {
  failed = true;
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
} finally {
  fs.rmSync(workDir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
