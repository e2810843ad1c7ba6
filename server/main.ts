// The `assay` command: serve the app (web, worker or both), migrate, and operator commands.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { buildApp } from './app.js';
import { type Config, ConfigError, loadConfig } from './config.js';
import { type Ctx, createContext } from './context.js';
import { randomToken } from './crypto.js';
import { migrateToLatest } from './db/migrate.js';
import { AppError } from './errors.js';
import { jobRegistry } from './job-registry.js';
import type { JobState } from './jobs/jobs.table.js';
import { countJobsByState, discardDeadJob, listJobs, retryDeadJob } from './jobs/queue.js';
import { JobRunner } from './jobs/runner.js';
import {
  bootstrapFirstOwner,
  createUserFromCli,
  resetPasswordFromCli,
} from './modules/accounts/accounts.service.js';
import { type MemberRole, memberRoles } from './modules/accounts/accounts.table.js';
import { checkContent } from './modules/bank/content-check.js';
import {
  ContentInvalidError,
  syncBuiltInContent,
  syncContentPacks,
} from './modules/bank/content-sync.service.js';
import { runDemoFromCli } from './modules/demo/demo.service.js';
import { backupCommand, dbCopyCommand } from './ops/ops.cli.js';

const HELP = `Usage: assay <command> [options]

Commands:
  serve [--role web|worker|all]   Serve the web app and API, run the job workers, or both (default: all)
  migrate                         Apply database migrations and exit
  user create --email E --name N [--role R] [--org ORG_ID | --org-name NAME] [--password P]
                                  Create a user (a new organization unless --org is given)
  user reset-password --email E [--password P]
                                  Print a one-time reset link, or set a password (to be changed at sign-in)
  jobs list [--state queued|running|succeeded|dead] [--name NAME]
  jobs retry <job-id>             Put a dead job back in the queue
  jobs discard <job-id>           Delete a dead job
  content check [path]            Validate a content directory (default: the built-in library) or a
                                  private pack; prints file:line: problem, exits 1 on any
  content sync                    Load the built-in library and the ASSAY_CONTENT_DIRS packs now
                                  (serve does this at start)
  demo [--org ORG_ID] [--remove]  Fill an organization (default: the demo organization made at first
                                  start) with a demo assessment and 60 simulated candidates, or remove it
  backup [--to FILE]              A consistent copy of the SQLite database while Assay runs (default:
                                  <data dir>/backups/assay-<time>.db); for PostgreSQL use pg_dump
  db copy --to postgres://…       Copy the SQLite database into a new, empty PostgreSQL database
                                  (migrated first), then compare row counts and checksums per table

Configuration comes from the environment (and .env); see docs/configuration.md.`;

function loadDotEnv(): void {
  const file = path.resolve('.env');
  if (fs.existsSync(file)) process.loadEnvFile(file);
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

async function withCtx<T>(config: Config, fn: (ctx: Ctx) => Promise<T>): Promise<T> {
  const ctx = createContext(config);
  try {
    await migrateToLatest(ctx.db);
    return await fn(ctx);
  } finally {
    await ctx.close();
  }
}

/** Writes first-run credentials where only their owner finds them. */
function announceFirstOwner(ctx: Ctx, creds: { email: string; password: string }): void {
  if (process.stdout.isTTY) {
    process.stdout.write(
      `\n  First start: a demo organization and its owner were created.\n  Sign in as ${creds.email} with the password ${creds.password}\n  (shown once; you will be asked to change it).\n\n`,
    );
    return;
  }
  const file = path.join(ctx.config.dataDir, 'initial-credentials.txt');
  fs.writeFileSync(file, `email: ${creds.email}\npassword: ${creds.password}\n`, { mode: 0o600 });
  ctx.log.info(
    { file },
    'first start: the owner account was created; its sign-in details are in this file (mode 0600)',
  );
}

function startWorkerThread(): Worker {
  const workerData = { env: { ...process.env } };
  if (import.meta.url.endsWith('.js'))
    return new Worker(new URL('./worker-thread.js', import.meta.url), { workerData });
  // Running from TypeScript sources (development, tests): the thread registers the TS loader first.
  const entry = new URL('./worker-thread.ts', import.meta.url).href;
  return new Worker(
    `import('tsx/esm/api').then((m) => m.register()).then(() => import(${JSON.stringify(entry)}))`,
    { eval: true, workerData },
  );
}

/** Refuses to run on invalid content: a clear list of problems beats half a question bank. */
async function syncContentOrExit(ctx: Ctx, sync: () => Promise<unknown>): Promise<void> {
  try {
    await sync();
  } catch (err) {
    if (!(err instanceof ContentInvalidError)) throw err;
    await ctx.close();
    fail(`Assay cannot start: ${err.message}`);
  }
}

async function serve(config: Config, role: 'web' | 'worker' | 'all'): Promise<void> {
  const started = Date.now();
  const ctx = createContext(config);
  await migrateToLatest(ctx.db);
  await syncContentOrExit(ctx, () => syncBuiltInContent(ctx));
  const creds = await bootstrapFirstOwner(ctx);
  if (creds) announceFirstOwner(ctx, creds);
  // After the first owner: a pack may belong to the organization that was just created.
  await syncContentOrExit(ctx, () => syncContentPacks(ctx));

  let stopWorkers: () => Promise<void> = async () => {};
  if (role !== 'web') {
    const inThread = config.jobsInThread ?? ctx.dialect === 'sqlite';
    if (inThread) {
      const worker = startWorkerThread();
      worker.on('error', (err) => {
        // Without workers nothing gets graded or sent: stop, so the supervisor restarts us whole.
        ctx.log.fatal({ err }, 'job worker thread failed');
        process.exit(1);
      });
      stopWorkers = () =>
        new Promise<void>((resolve) => {
          worker.once('message', () => resolve());
          worker.once('exit', () => resolve());
          worker.postMessage({ type: 'stop' });
        });
    } else {
      const runner = new JobRunner(ctx, jobRegistry);
      runner.start();
      stopWorkers = () => runner.stop();
    }
  }

  const app = role === 'worker' ? undefined : await buildApp(ctx, { webDir: path.resolve('dist/web') });
  if (app) {
    await app.listen({ host: config.host, port: config.port });
    ctx.log.info({ ms: Date.now() - started }, 'ready');
    process.stdout.write(`Assay is running at ${config.publicUrl} (role: ${role})\n`);
  } else {
    process.stdout.write(`Assay worker is running (role: worker)\n`);
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    ctx.log.info({ signal }, 'shutting down: finishing in-flight requests and jobs');
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    await app?.close(); // stops accepting, lets in-flight requests finish
    await stopWorkers();
    await ctx.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

async function main(argv: string[]): Promise<void> {
  const [command, sub, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  if (command === 'content' && sub === 'check') {
    // Needs no configuration or database: content authors run it in their checkout or CI.
    const r = checkContent(rest[0]);
    (r.ok ? process.stdout : process.stderr).write(`${r.output}\n`);
    if (!r.ok) process.exit(1);
    return;
  }
  loadDotEnv();
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }

  switch (command) {
    case 'serve': {
      const { values } = parseArgs({
        args: [sub, ...rest].filter((a): a is string => a !== undefined),
        options: { role: { type: 'string', default: 'all' } },
      });
      const role = values.role;
      if (role !== 'web' && role !== 'worker' && role !== 'all')
        fail(`--role must be web, worker or all (got ${role})`);
      return serve(config, role);
    }
    case 'content': {
      if (sub !== 'sync') fail('Usage: assay content check [path] | assay content sync');
      await withCtx(config, async (ctx) => {
        try {
          for (const r of [await syncBuiltInContent(ctx), ...(await syncContentPacks(ctx))]) {
            const c = (k: 'questions' | 'uploadTasks') =>
              `${r[k].created} new, ${r[k].versioned} new versions, ${r[k].retired} retired, ${r[k].restored} restored`;
            process.stdout.write(
              r.skipped
                ? `${r.scope}: unchanged\n`
                : `${r.scope}: questions ${c('questions')}; upload tasks ${c('uploadTasks')}\n`,
            );
          }
        } catch (err) {
          if (err instanceof ContentInvalidError) fail(err.message);
          throw err;
        }
      });
      return;
    }
    case 'demo': {
      const { values } = parseArgs({
        args: [sub, ...rest].filter((a): a is string => a !== undefined),
        options: { org: { type: 'string' }, remove: { type: 'boolean', default: false } },
      });
      await withCtx(config, async (ctx) => {
        const r = await runDemoFromCli(ctx, { orgId: values.org, remove: values.remove });
        process.stdout.write(
          'removed' in r
            ? `Removed the demo data of ${r.organization.name}: ${r.removed.candidates} candidates, ${r.removed.attempts} attempts.\n`
            : r.created
              ? `Filled ${r.organization.name} with the demo: ${r.candidates} candidates in assessment ${r.assessmentId}.\n`
              : `${r.organization.name} already has the demo (assessment ${r.assessmentId}); nothing changed.\n`,
        );
      });
      return;
    }
    case 'backup': {
      process.exitCode = await backupCommand(
        config,
        [sub, ...rest].filter((a): a is string => a !== undefined),
      );
      return;
    }
    case 'db': {
      if (sub !== 'copy') fail('Usage: assay db copy --to postgres://…');
      process.exitCode = await dbCopyCommand(config, rest);
      return;
    }
    case 'migrate': {
      const applied = await withCtx(config, async () => []);
      process.stdout.write(`Database is up to date${applied.length ? '' : ''}.\n`);
      return;
    }
    case 'user': {
      const { values } = parseArgs({
        args: rest,
        options: {
          email: { type: 'string' },
          name: { type: 'string' },
          role: { type: 'string', default: 'owner' },
          org: { type: 'string' },
          'org-name': { type: 'string' },
          password: { type: 'string' },
        },
      });
      if (!values.email) fail('--email is required');
      if (sub === 'create') {
        if (!values.name) fail('--name is required');
        if (!memberRoles.includes(values.role as MemberRole))
          fail(`--role must be one of ${memberRoles.join(', ')}`);
        const password = values.password ?? randomToken(15);
        const r = await withCtx(config, (ctx) =>
          createUserFromCli(ctx, {
            email: values.email!.toLowerCase(),
            name: values.name!,
            role: values.role as MemberRole,
            organizationId: values.org,
            organizationName: values['org-name'],
            password,
          }),
        );
        process.stdout.write(
          `Created ${values.email} in organization ${r.orgId}.\nPassword: ${password}\n(it must be changed at first sign-in)\n`,
        );
        return;
      }
      if (sub === 'reset-password') {
        const r = await withCtx(config, (ctx) =>
          resetPasswordFromCli(ctx, values.email!.toLowerCase(), values.password),
        );
        process.stdout.write(
          r.link
            ? `One-time reset link (valid 1 hour):\n${r.link}\n`
            : 'Password set; it must be changed at the next sign-in.\n',
        );
        return;
      }
      fail('Usage: assay user create|reset-password …');
      break;
    }
    case 'jobs': {
      await withCtx(config, async (ctx) => {
        if (sub === 'list') {
          const { values } = parseArgs({
            args: rest,
            options: { state: { type: 'string' }, name: { type: 'string' } },
          });
          if (!values.state && !values.name) {
            for (const r of await countJobsByState(ctx.db))
              process.stdout.write(`${r.state.padEnd(10)} ${String(r.count).padStart(7)}  ${r.name}\n`);
            return;
          }
          for (const j of await listJobs(ctx.db, {
            state: values.state as JobState | undefined,
            name: values.name,
          })) {
            process.stdout.write(
              `${j.id}  ${j.state.padEnd(9)} ${j.name.padEnd(24)} attempts ${j.attempts}/${j.max_attempts}${j.last_error ? `  last error: ${j.last_error}` : ''}\n`,
            );
          }
        } else if (sub === 'retry' || sub === 'discard') {
          const id = rest[0];
          if (!id) fail(`Usage: assay jobs ${sub} <job-id>`);
          const ok =
            sub === 'retry'
              ? await retryDeadJob(ctx.db, id, ctx.clock.now())
              : await discardDeadJob(ctx.db, id);
          if (!ok) fail(`No dead job ${id}`);
          process.stdout.write(`${sub === 'retry' ? 'Queued' : 'Discarded'} ${id}\n`);
        } else fail('Usage: assay jobs list|retry|discard');
      });
      return;
    }
    default:
      fail(`Unknown command "${command}".\n\n${HELP}`);
  }
}

main(process.argv.slice(2)).catch((err) => {
  if (err instanceof AppError) fail(err.message);
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
