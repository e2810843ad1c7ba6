// The audit log is append-only for the application: a trigger refuses every UPDATE and DELETE on
// audit_log, on PostgreSQL and on SQLite alike. Erasing a candidate never needs to touch audit rows,
// because they refer to candidates by id only (invariant 8).
import { type Kysely, PostgresAdapter, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`create function audit_log_append_only() returns trigger language plpgsql as $$
      begin
        raise exception 'audit rows are append-only' using errcode = 'insufficient_privilege';
      end
    $$`.execute(db);
    await sql`create trigger audit_log_append_only before update or delete on audit_log
      for each row execute function audit_log_append_only()`.execute(db);
    // Row triggers don't fire on TRUNCATE; a statement trigger does.
    await sql`create trigger audit_log_no_truncate before truncate on audit_log
      for each statement execute function audit_log_append_only()`.execute(db);
    return;
  }
  await sql`create trigger audit_log_no_update before update on audit_log
    begin select raise(abort, 'audit rows are append-only'); end`.execute(db);
  await sql`create trigger audit_log_no_delete before delete on audit_log
    begin select raise(abort, 'audit rows are append-only'); end`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Assay migrations are forward-only; restore a backup to go back.');
}
