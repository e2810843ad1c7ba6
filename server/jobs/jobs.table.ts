import type { Selectable } from 'kysely';

export type JobState = 'queued' | 'running' | 'succeeded' | 'dead';

export interface JobsTable {
  id: string;
  name: string;
  payload: string;
  state: JobState;
  run_at: number;
  attempts: number;
  max_attempts: number;
  dedupe_key: string | null;
  locked_by: string | null;
  locked_until: number | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}
export type JobRow = Selectable<JobsTable>;
