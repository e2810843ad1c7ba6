// Results, blind review and the hiring pipeline.
// - Pipeline sort keys on invitations (score, percentile, submission time, name), never null, each
//   with an index per assessment and per organization, so every main sort of a 10,000-candidate
//   pipeline is an index scan with a keyset cursor. The database keeps them in step with attempts and
//   candidates through triggers, so no writer in another module can forget to.
// - Saved pipeline views, notes on invitations, role benchmarks and item statistics (filled by jobs).
// - Review items (one per upload section awaiting review) and reviewers' rubric reviews.
import { type Kysely, PostgresAdapter, sql } from 'kysely';

const float = sql`double precision`;

export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;

  // -------------------------------------------------------------------------------------------
  // Pipeline sort keys. -1 / 0 / '' stand for "none yet", so a descending sort puts them last on
  // both dialects and the keyset comparison never meets a NULL.
  await db.schema
    .alterTable('invitations')
    .addColumn('sort_score', float, (c) => c.notNull().defaultTo(-1))
    .execute();
  await db.schema
    .alterTable('invitations')
    .addColumn('sort_percentile', float, (c) => c.notNull().defaultTo(-1))
    .execute();
  await db.schema
    .alterTable('invitations')
    .addColumn('sort_submitted', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('invitations')
    .addColumn('sort_name', 'text', (c) => c.notNull().defaultTo(''))
    .execute();

  for (const [key, column] of [
    ['score', 'sort_score'],
    ['percentile', 'sort_percentile'],
    ['submitted', 'sort_submitted'],
    ['name', 'sort_name'],
  ] as const) {
    await db.schema
      .createIndex(`invitations_pipeline_${key}_idx`)
      .on('invitations')
      .columns(['org_id', 'assessment_id', column, 'id'])
      .execute();
    await db.schema
      .createIndex(`invitations_org_pipeline_${key}_idx`)
      .on('invitations')
      .columns(['org_id', column, 'id'])
      .execute();
  }
  await db.schema
    .createIndex('invitations_org_pipeline_idx')
    .on('invitations')
    .columns(['org_id', 'id'])
    .execute();

  // Existing rows.
  await sql`update invitations set sort_name = coalesce((select lower(trim(c.name)) from candidates c where c.id = invitations.candidate_id), '')`.execute(
    db,
  );
  await sql`update invitations set
      sort_score = coalesce((select a.score from attempts a where a.invitation_id = invitations.id), -1),
      sort_percentile = coalesce((select a.percentile from attempts a where a.invitation_id = invitations.id), -1),
      sort_submitted = coalesce((select a.submitted_at from attempts a where a.invitation_id = invitations.id), 0)`.execute(
    db,
  );

  if (postgres) {
    await sql`create function assay_pipeline_from_attempt() returns trigger language plpgsql as $$
      begin
        if new.invitation_id is not null then
          update invitations set sort_score = coalesce(new.score, -1),
            sort_percentile = coalesce(new.percentile, -1), sort_submitted = coalesce(new.submitted_at, 0)
          where id = new.invitation_id;
        end if;
        return null;
      end $$`.execute(db);
    await sql`create trigger attempts_pipeline after insert or update of score, percentile, submitted_at
      on attempts for each row execute function assay_pipeline_from_attempt()`.execute(db);
    await sql`create function assay_pipeline_name_of_invitation() returns trigger language plpgsql as $$
      begin
        new.sort_name := coalesce((select lower(trim(c.name)) from candidates c where c.id = new.candidate_id), '');
        return new;
      end $$`.execute(db);
    await sql`create trigger invitations_pipeline_name before insert on invitations
      for each row execute function assay_pipeline_name_of_invitation()`.execute(db);
    await sql`create function assay_pipeline_name_of_candidate() returns trigger language plpgsql as $$
      begin
        update invitations set sort_name = lower(trim(new.name)) where candidate_id = new.id;
        return null;
      end $$`.execute(db);
    await sql`create trigger candidates_pipeline_name after update of name on candidates
      for each row execute function assay_pipeline_name_of_candidate()`.execute(db);
  } else {
    const fromAttempt = sql`update invitations set sort_score = coalesce(new.score, -1),
        sort_percentile = coalesce(new.percentile, -1), sort_submitted = coalesce(new.submitted_at, 0)
      where id = new.invitation_id;`;
    await sql`create trigger attempts_pipeline_insert after insert on attempts
      when new.invitation_id is not null begin ${fromAttempt} end`.execute(db);
    await sql`create trigger attempts_pipeline_update after update of score, percentile, submitted_at on attempts
      when new.invitation_id is not null begin ${fromAttempt} end`.execute(db);
    await sql`create trigger invitations_pipeline_name after insert on invitations begin
      update invitations set sort_name = coalesce((select lower(trim(c.name)) from candidates c where c.id = new.candidate_id), '')
      where id = new.id;
    end`.execute(db);
    await sql`create trigger candidates_pipeline_name after update of name on candidates begin
      update invitations set sort_name = lower(trim(new.name)) where candidate_id = new.id;
    end`.execute(db);
  }

  // -------------------------------------------------------------------------------------------
  // Saved pipeline views (per user) and notes on invitations.
  await db.schema
    .createTable('saved_views')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('assessment_id', 'text')
    .addColumn('query', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('saved_views_user_idx')
    .on('saved_views')
    .columns(['org_id', 'user_id', 'id'])
    .execute();

  await db.schema
    .createTable('candidate_notes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('invitation_id', 'text', (c) => c.notNull().references('invitations.id').onDelete('cascade'))
    .addColumn('author_user_id', 'text')
    .addColumn('kind', 'text', (c) => c.notNull().defaultTo('note'))
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('candidate_notes_invitation_idx')
    .on('candidate_notes')
    .columns(['invitation_id', 'id'])
    .execute();

  // -------------------------------------------------------------------------------------------
  // Analytics kept by jobs.
  await db.schema
    .createTable('role_benchmarks')
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('role_template_id', 'text', (c) => c.notNull())
    .addColumn('cohort', 'text', (c) => c.notNull())
    .addColumn('graded_count', 'integer', (c) => c.notNull())
    .addColumn('median_score', float)
    .addColumn('median_by_subtopic', 'text', (c) => c.notNull())
    .addColumn('computed_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('role_benchmarks_pk', ['org_id', 'role_template_id', 'cohort'])
    .execute();

  await db.schema
    .createTable('assessment_stats')
    .addColumn('assessment_id', 'text', (c) =>
      c.primaryKey().references('assessments.id').onDelete('cascade'),
    )
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('items', 'integer', (c) => c.notNull())
    .addColumn('mean', float)
    .addColumn('sd', float)
    .addColumn('alpha', float)
    .addColumn('sem', float)
    .addColumn('computed_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('item_stats')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('assessment_id', 'text', (c) => c.notNull().references('assessments.id').onDelete('cascade'))
    .addColumn('question_version_id', 'text', (c) => c.notNull())
    .addColumn('question_id', 'text', (c) => c.notNull())
    .addColumn('is_demo', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('n', 'integer', (c) => c.notNull())
    .addColumn('sums', 'text', (c) => c.notNull())
    .addColumn('option_counts', 'text', (c) => c.notNull())
    .addColumn('facility', float)
    .addColumn('discrimination', float)
    .addColumn('flags', 'text', (c) => c.notNull())
    .addColumn('flagged', 'integer', (c) => c.notNull())
    .addColumn('computed_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('item_stats_pk', ['assessment_id', 'question_version_id'])
    .execute();
  await db.schema
    .createIndex('item_stats_org_version_idx')
    .on('item_stats')
    .columns(['org_id', 'question_version_id'])
    .execute();

  await db.schema
    .createTable('question_stats')
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('question_version_id', 'text', (c) => c.notNull())
    .addColumn('question_id', 'text', (c) => c.notNull())
    .addColumn('n', 'integer', (c) => c.notNull())
    .addColumn('option_counts', 'text', (c) => c.notNull())
    .addColumn('facility', float)
    .addColumn('discrimination', float)
    .addColumn('flags', 'text', (c) => c.notNull())
    .addColumn('flagged', 'integer', (c) => c.notNull())
    .addColumn('computed_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('question_stats_pk', ['org_id', 'question_version_id'])
    .execute();
  await db.schema
    .createIndex('question_stats_flagged_idx')
    .on('question_stats')
    .columns(['org_id', 'flagged', 'question_version_id'])
    .execute();

  // -------------------------------------------------------------------------------------------
  // Blind review of upload sections.
  await db.schema
    .createTable('review_items')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('assessment_id', 'text', (c) => c.notNull().references('assessments.id').onDelete('cascade'))
    .addColumn('attempt_id', 'text', (c) => c.notNull().references('attempts.id').onDelete('cascade'))
    .addColumn('section_key', 'text', (c) => c.notNull())
    .addColumn('section_title', 'text', (c) => c.notNull())
    .addColumn('task_version_id', 'text', (c) => c.notNull())
    .addColumn('is_demo', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('reviewers_required', 'integer', (c) => c.notNull())
    .addColumn('reviews_done', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('score', float)
    .addColumn('disagreement', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('submitted_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('completed_at', 'bigint')
    .addUniqueConstraint('review_items_attempt_section_uq', ['attempt_id', 'section_key'])
    .execute();
  // The queue: open items of an organization, oldest submission first.
  await db.schema
    .createIndex('review_items_queue_idx')
    .on('review_items')
    .columns(['org_id', 'state', 'submitted_at', 'id'])
    .execute();

  await db.schema
    .createTable('reviews')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('review_item_id', 'text', (c) => c.notNull().references('review_items.id').onDelete('cascade'))
    .addColumn('reviewer_user_id', 'text', (c) => c.notNull())
    .addColumn('scores', 'text', (c) => c.notNull())
    .addColumn('total', float, (c) => c.notNull())
    .addColumn('comment', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('reviews_item_reviewer_uq', ['review_item_id', 'reviewer_user_id'])
    .execute();
  await db.schema
    .createIndex('reviews_reviewer_idx')
    .on('reviews')
    .columns(['org_id', 'reviewer_user_id', 'id'])
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('Assay migrations are forward-only; restore a backup to go back.');
}
