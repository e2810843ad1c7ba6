import type { Selectable } from 'kysely';

export interface EventsTable {
  id: string;
  org_id: string;
  type: string;
  subject_id: string;
  /** JSON. Ids, states and scores only: never names or emails (invariant 8). */
  data: string;
  created_at: number;
  /** When the webhook dispatcher fanned the event out to endpoints; null until then. */
  dispatched_at: number | null;
}
export type EventRow = Selectable<EventsTable>;
