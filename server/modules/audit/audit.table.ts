import type { Selectable } from 'kysely';

export interface AuditLogTable {
  id: string;
  org_id: string | null;
  actor_user_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  ip: string | null;
  request_id: string | null;
  details: string;
  created_at: number;
}
export type AuditRow = Selectable<AuditLogTable>;
