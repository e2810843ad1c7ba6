// Privacy: each organization's retention period for candidates' personal data, counted from the
// decision (the stage rejected or hired, or the assessment closed). Null keeps data until erased.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('privacy_settings')
    .addColumn('org_id', 'text', (c) => c.primaryKey().references('organizations.id').onDelete('cascade'))
    .addColumn('retention_days', 'integer')
    .addColumn('updated_by', 'text')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  // A candidate's export gathers the events about them (their invitations and attempts) by subject.
  await db.schema.createIndex('events_subject_idx').on('events').columns(['subject_id']).execute();
}

export async function down(): Promise<void> {
  throw new Error('Assay migrations are forward-only; restore a backup to go back.');
}
