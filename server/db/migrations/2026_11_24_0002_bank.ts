// The question bank: questions and upload tasks, each with immutable versions, and the fingerprint
// of each content source last synced. Same conventions as 0001: epoch-ms bigint, JSON as text, 0/1.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('questions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.references('organizations.id').onDelete('cascade'))
    .addColumn('slug', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('subtopic', 'text', (c) => c.notNull())
    .addColumn('difficulty', 'text', (c) => c.notNull())
    .addColumn('current_version_id', 'text', (c) => c.notNull())
    .addColumn('retired', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  // A built-in id is unique among built-ins; an organization's ids (pack and custom) within it.
  await db.schema
    .createIndex('questions_builtin_slug_uq')
    .on('questions')
    .column('slug')
    .unique()
    .where(sql.ref('org_id'), 'is', null)
    .execute();
  await db.schema
    .createIndex('questions_org_slug_uq')
    .on('questions')
    .columns(['org_id', 'slug'])
    .unique()
    .where(sql.ref('org_id'), 'is not', null)
    .execute();
  // Draws: the active questions of one cell, built-in (org_id null) or the organization's own.
  await db.schema
    .createIndex('questions_draw_idx')
    .on('questions')
    .columns(['org_id', 'subtopic', 'difficulty', 'retired'])
    .execute();
  // Lists of an organization's own questions, keyset-paginated by id.
  await db.schema.createIndex('questions_org_idx').on('questions').columns(['org_id', 'id']).execute();

  await db.schema
    .createTable('question_versions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('question_id', 'text', (c) => c.notNull().references('questions.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('subtopic', 'text', (c) => c.notNull())
    .addColumn('difficulty', 'text', (c) => c.notNull())
    .addColumn('stem', 'text', (c) => c.notNull())
    .addColumn('options', 'text', (c) => c.notNull())
    .addColumn('correct', 'text', (c) => c.notNull())
    .addColumn('explanation', 'text', (c) => c.notNull())
    .addColumn('seconds', 'integer', (c) => c.notNull())
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('question_versions_number_uq', ['question_id', 'version'])
    .execute();

  await db.schema
    .createTable('upload_tasks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.references('organizations.id').onDelete('cascade'))
    .addColumn('slug', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('current_version_id', 'text', (c) => c.notNull())
    .addColumn('retired', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('upload_tasks_builtin_slug_uq')
    .on('upload_tasks')
    .column('slug')
    .unique()
    .where(sql.ref('org_id'), 'is', null)
    .execute();
  await db.schema
    .createIndex('upload_tasks_org_slug_uq')
    .on('upload_tasks')
    .columns(['org_id', 'slug'])
    .unique()
    .where(sql.ref('org_id'), 'is not', null)
    .execute();
  await db.schema.createIndex('upload_tasks_org_idx').on('upload_tasks').columns(['org_id', 'id']).execute();

  await db.schema
    .createTable('upload_task_versions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('task_id', 'text', (c) => c.notNull().references('upload_tasks.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('subtopics', 'text', (c) => c.notNull())
    .addColumn('minutes', 'integer', (c) => c.notNull())
    .addColumn('accept', 'text', (c) => c.notNull())
    .addColumn('max_size_mb', 'double precision', (c) => c.notNull())
    .addColumn('max_files', 'integer', (c) => c.notNull())
    .addColumn('allow_zip', 'integer', (c) => c.notNull())
    .addColumn('prompt', 'text', (c) => c.notNull())
    .addColumn('rubric', 'text', (c) => c.notNull())
    .addColumn('reviewer_notes', 'text', (c) => c.notNull())
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('upload_task_versions_number_uq', ['task_id', 'version'])
    .execute();

  await db.schema
    .createTable('content_sync')
    .addColumn('scope', 'text', (c) => c.primaryKey())
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('synced_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('Assay migrations are forward-only; restore a backup to go back.');
}
