import type { Selectable } from 'kysely';

/** queued: waiting for the send job; sent; failed: retries exhausted; outbox: no SMTP configured. */
export type EmailStatus = 'queued' | 'sent' | 'failed' | 'outbox';

export interface EmailsTable {
  id: string;
  org_id: string | null;
  kind: string;
  to_address: string;
  subject: string;
  /** JSON {text, html}, sealed with the instance key: bodies carry secret links. */
  body_sealed: string;
  /** 1 for mail only its recipient may read (password resets): admins see the metadata only. */
  private: number;
  status: EmailStatus;
  attempts: number;
  last_error: string | null;
  created_at: number;
  sent_at: number | null;
}
export type EmailRow = Selectable<EmailsTable>;
