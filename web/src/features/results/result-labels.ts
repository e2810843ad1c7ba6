// Words and colours for the pipeline's enums, and number formats, shared by the results pages.
// Integrity tiers are signals, never verdicts: they get neutral colours, never red.
import type { IntegrityTier, PipelineStatus, Stage } from '../../api/results';

export const stages: Stage[] = ['new', 'shortlisted', 'interview', 'rejected', 'hired'];

export const stageLabels: Record<Stage, string> = {
  new: 'New',
  shortlisted: 'Shortlisted',
  interview: 'Interview',
  rejected: 'Rejected',
  hired: 'Hired',
};

export const stageColors: Record<Stage, string> = {
  new: 'gray',
  shortlisted: 'assay',
  interview: 'blue',
  rejected: 'dark',
  hired: 'indigo',
};

export const pipelineStatuses: PipelineStatus[] = [
  'invited',
  'opened',
  'in_progress',
  'completed',
  'awaiting_review',
  'graded',
  'expired',
  'revoked',
];

export const statusLabels: Record<PipelineStatus, { label: string; color: string; description: string }> = {
  invited: {
    label: 'Invited',
    color: 'blue',
    description: 'The invitation was sent; the link isn’t opened yet.',
  },
  opened: {
    label: 'Opened',
    color: 'cyan',
    description: 'The candidate opened the link but hasn’t started.',
  },
  in_progress: { label: 'In progress', color: 'indigo', description: 'The candidate is taking the test.' },
  completed: { label: 'Submitted', color: 'violet', description: 'Submitted; grading takes a moment.' },
  awaiting_review: {
    label: 'Awaiting review',
    color: 'grape',
    description: 'Multiple-choice answers are graded; uploads wait for reviewers. The score is preliminary.',
  },
  graded: { label: 'Graded', color: 'assay', description: 'Every section is scored.' },
  expired: { label: 'Expired', color: 'gray', description: 'The link expired before the test was taken.' },
  revoked: { label: 'Revoked', color: 'dark', description: 'The invitation was withdrawn.' },
};

export const integrityTiers: IntegrityTier[] = ['none', 'some', 'major'];

export const integrityLabels: Record<IntegrityTier, { label: string; description: string }> = {
  none: { label: 'No signals', description: 'No integrity signals were recorded.' },
  some: { label: 'Some signals', description: 'A few signals were recorded. Worth a look, not a verdict.' },
  major: {
    label: 'Many signals',
    description: 'Many signals were recorded. Look at the timeline before drawing any conclusion.',
  },
};

/** Neutral shades only: a tier points to where to look, it never accuses. */
export const integrityColors: Record<IntegrityTier, string> = { none: 'gray', some: 'gray', major: 'dark' };

export const integrityEventLabels: Record<string, string> = {
  'tab-hidden': 'Tab hidden',
  'tab-visible': 'Tab visible again',
  'window-blur': 'Window lost focus',
  copy: 'Copied text',
  paste: 'Pasted text',
  'fullscreen-exit': 'Left full screen',
  'ip-change': 'IP address changed',
  'second-session': 'Opened in a second browser',
};

/** 0.734 → "73%"; null → "—". */
export function percent(score: number | null | undefined): string {
  return score === null || score === undefined ? '—' : `${Math.round(score * 100)}%`;
}

/** A percentile rank (0–100) as "82nd"; null → "—". */
export function ordinal(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  const r = Math.round(n);
  const tens = r % 100;
  const suffix =
    tens >= 11 && tens <= 13 ? 'th' : r % 10 === 1 ? 'st' : r % 10 === 2 ? 'nd' : r % 10 === 3 ? 'rd' : 'th';
  return `${r}${suffix}`;
}

/** 4210 seconds → "1 h 10 min" ("1h 10m" compact); 95 → "1 min 35 s"; null → "—". */
export function formatDuration(seconds: number | null | undefined, compact = false): string {
  if (seconds === null || seconds === undefined) return '—';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const [hu, mu, su] = compact ? ['h', 'm', 's'] : [' h', ' min', ' s'];
  if (h > 0) return `${h}${hu} ${m}${mu}`;
  if (m >= 10) return `${m}${mu}`;
  if (m > 0) return `${m}${mu} ${s % 60}${su}`;
  return `${s}${su}`;
}
