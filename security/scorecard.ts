// The reliability and security scorecard: runs every check of docs/security.md at full size (or
// `--quick` for CI), prints each figure with its denominator and threshold, and exits 1 when any
// threshold fails. `--only A1,K1` runs some checks; `--soak-minutes N` sets the soak (at most 30);
// `--docs` writes the output into docs/security.md as the latest scorecard.
//
//   npm run scorecard                 the full run (crash cycles, the 1 GB upload, long fuzzing, soak)
//   npm run scorecard -- --quick      the short version CI runs (about five minutes)
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { checks } from './checks/index.js';
import type { Figure } from './lib/figures.js';
import { ensurePostgres } from './lib/pg-cluster.js';
import type { Scale } from './lib/world.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    seed: { type: 'string' },
    'soak-minutes': { type: 'string' },
    'no-postgres': { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
    docs: { type: 'boolean', default: false },
  },
});

const scale: Scale = values.quick ? 'quick' : 'full';
const seed = Number(values.seed ?? process.env.ASSAY_SEED ?? Date.now() % 1_000_000);
if (values['soak-minutes']) process.env.ASSAY_SOAK_MINUTES = values['soak-minutes'];
const only = values.only ? new Set(values.only.split(',').map((s) => s.trim().toUpperCase())) : undefined;

function line(f: Figure, dialect: string): string {
  const status = f.pass ? 'PASS' : 'FAIL';
  return `${status}  ${f.id.padEnd(3)} ${dialect.padEnd(8)} ${f.text}   [${f.threshold}]`;
}

async function main() {
  const started = Date.now();
  const pg = values['no-postgres'] ? undefined : await ensurePostgres();
  const out: string[] = [];
  const say = (s: string) => {
    out.push(s);
    process.stdout.write(`${s}\n`);
  };
  say(`Assay reliability & security scorecard (${scale}${only ? `, only ${[...only].join(',')}` : ''})`);
  say(
    `node ${process.version}, ${process.platform}/${process.arch}, seed ${seed}, PostgreSQL: ${pg ? pg.describe : 'not run'}`,
  );
  say('');
  let failed = 0;
  let total = 0;
  for (const check of checks) {
    if (only && !check.ids.some((id) => only.has(id))) continue;
    const dialects = check.dialects.filter((d) => d === 'sqlite' || pg);
    const runOne = async (dialect: (typeof dialects)[number]): Promise<Figure[]> => {
      const t0 = Date.now();
      try {
        return await check.run({
          dialect,
          scale,
          seed,
          log: (m) => {
            if (values.verbose) process.stderr.write(`  [${check.title}, ${dialect}] ${m}\n`);
          },
        });
      } catch (err) {
        return [
          {
            id: check.ids[0] ?? '?',
            name: check.title,
            value: 1,
            text: `${check.title}: the check itself failed: ${err instanceof Error ? err.message : String(err)}`,
            threshold: 'runs',
            pass: false,
            details: [err instanceof Error ? (err.stack ?? '') : ''],
          },
        ];
      } finally {
        if (values.verbose) process.stderr.write(`  (${check.title} on ${dialect}: ${Date.now() - t0} ms)\n`);
      }
    };
    const results = check.parallel
      ? await Promise.all(dialects.map(runOne))
      : await dialects.reduce<Promise<Figure[][]>>(
          async (acc, d) => [...(await acc), await runOne(d)],
          Promise.resolve([]),
        );
    results.forEach((figures, i) => {
      for (const f of figures) {
        total++;
        if (!f.pass) failed++;
        say(line(f, dialects[i] ?? ''));
        if (!f.pass || values.verbose) for (const d of f.details.slice(0, 10)) say(`        ${d}`);
      }
    });
  }
  say('');
  say(
    `${total - failed}/${total} figures within their thresholds; ${failed} failed. (${Math.round((Date.now() - started) / 1000)} s)`,
  );
  await pg?.stop();
  if (values.docs) writeDocs(out, started);
  process.exit(failed ? 1 : 0);
}

/** `--docs`: the run's output becomes the latest scorecard in docs/security.md. */
function writeDocs(out: string[], started: number) {
  const file = path.join(import.meta.dirname, '..', 'docs', 'security.md');
  const doc = fs.readFileSync(file, 'utf8');
  const [start, end] = ['<!-- scorecard:start -->', '<!-- scorecard:end -->'];
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  if (i < 0 || j < i) throw new Error(`docs/security.md lacks the ${start} … ${end} markers`);
  const when = new Date(started).toISOString().slice(0, 16).replace('T', ' ');
  const block = [
    start,
    `Run of ${when} UTC: \`npm run scorecard${process.argv.slice(2).length ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\`.`,
    '',
    '```text',
    ...out,
    '```',
    '',
  ].join('\n');
  fs.writeFileSync(file, doc.slice(0, i) + block + doc.slice(j));
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
