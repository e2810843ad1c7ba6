// Invitations: the expiry sweep finds live invitations past their expiry through an index, and a
// candidate import records why it failed, when it did.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('invitations_status_expires_idx')
    .on('invitations')
    .columns(['status', 'expires_at'])
    .execute();
  await db.schema.alterTable('candidate_imports').addColumn('error', 'text').execute();
}

export async function down(): Promise<void> {
  throw new Error('Assay migrations are forward-only; restore a backup to go back.');
}
