import type { ApiKeyScope, WebhookDelivery, WebhookEndpoint, WebhookEventType } from '../../api/integrations';

export const scopeOptions: { value: ApiKeyScope; label: string; description: string }[] = [
  {
    value: 'read',
    label: 'Read',
    description: 'Reads what a recruiter can see: assessments, invitations and results. Changes nothing.',
  },
  {
    value: 'write',
    label: 'Write',
    description:
      'Does what a recruiter can do: create assessments, invite candidates, move them through the pipeline.',
  },
  {
    value: 'admin',
    label: 'Admin',
    description: 'Does what an admin can do, including team management, bank export and webhooks.',
  },
];

export const scopeLabels: Record<ApiKeyScope, string> = { read: 'Read', write: 'Write', admin: 'Admin' };

export const eventTypeOptions: { value: WebhookEventType; label: string }[] = [
  { value: 'invitation.created', label: 'A candidate is invited' },
  { value: 'invitation.opened', label: 'A candidate opens their link' },
  { value: 'invitation.revoked', label: 'An invitation is revoked' },
  { value: 'attempt.started', label: 'A candidate starts' },
  { value: 'attempt.submitted', label: 'An attempt is submitted' },
  { value: 'attempt.graded', label: 'An attempt has its final score' },
  { value: 'review.completed', label: 'A reviewer finishes an upload' },
  { value: 'candidate.stage_changed', label: 'A candidate moves to another stage' },
];

export function endpointStatus(e: Pick<WebhookEndpoint, 'active' | 'disabledReason' | 'failingSince'>): {
  label: string;
  color: string;
  hint?: string;
} {
  if (e.disabledReason === 'gone')
    return { label: 'Turned off', color: 'red', hint: 'The receiver answered 410 Gone.' };
  if (e.disabledReason === 'failing')
    return { label: 'Turned off', color: 'red', hint: 'Every delivery failed for more than a day.' };
  if (!e.active) return { label: 'Off', color: 'gray' };
  if (e.failingSince)
    return { label: 'Failing', color: 'orange', hint: 'Recent deliveries failed; Assay keeps retrying.' };
  return { label: 'Active', color: 'assay' };
}

export const outcomeLabels: Record<WebhookDelivery['outcome'], { label: string; color: string }> = {
  delivered: { label: 'Delivered', color: 'assay' },
  failed: { label: 'Failed', color: 'red' },
  refused: { label: 'Refused', color: 'red' },
  skipped: { label: 'Skipped', color: 'gray' },
};
