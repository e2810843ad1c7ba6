import type { Selectable } from 'kysely';

/** One row per organization that has set a retention period. */
export interface PrivacySettingsTable {
  org_id: string;
  /** Days after the decision before a candidate's personal data is erased; null: kept until erased. */
  retention_days: number | null;
  updated_by: string | null;
  updated_at: number;
}
export type PrivacySettingsRow = Selectable<PrivacySettingsTable>;
