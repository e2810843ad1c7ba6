// Says plainly, once per run, whether the PostgreSQL half of the suite runs.
export default function setup(): void {
  if (process.env.TEST_DATABASE_URL) {
    process.stdout.write(
      `\n[assay] Database tests run on SQLite and on PostgreSQL (${process.env.TEST_DATABASE_URL.replace(/\/\/[^@]*@/, '//')}).\n\n`,
    );
  } else {
    process.stdout.write(
      '\n[assay] NOTICE: TEST_DATABASE_URL is not set, so the PostgreSQL runs are SKIPPED; only SQLite is tested.\n\n',
    );
  }
}
