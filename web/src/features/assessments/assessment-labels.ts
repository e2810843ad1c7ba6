// Words and colours for the assessment and invitation enums, shared by the assessment pages.
import type { AssessmentSettings, AssessmentState } from '../../api/assessments';

export const stateLabels: Record<AssessmentState, string> = {
  draft: 'Draft',
  open: 'Open',
  closed: 'Closed',
  archived: 'Archived',
};

export const stateColors: Record<AssessmentState, string> = {
  draft: 'gray',
  open: 'assay',
  closed: 'orange',
  archived: 'dark',
};

export const stateDescriptions: Record<AssessmentState, string> = {
  draft: 'Candidates can’t start it yet. Build the sections, then open it.',
  open: 'Invited candidates can start it.',
  closed: 'No new invitations or starts. Attempts in progress can finish.',
  archived: 'Kept for its results. It can’t be edited or opened again.',
};

export type IntegritySignal = AssessmentSettings['integritySignals'][number];

export const integritySignalLabels: Record<IntegritySignal, { label: string; description: string }> = {
  'tab-hidden': { label: 'Tab hidden', description: 'The candidate switched to another tab or app' },
  'window-blur': { label: 'Window lost focus', description: 'Another window took the focus' },
  'copy-paste': { label: 'Copy and paste', description: 'Text was copied or pasted during the test' },
  'fullscreen-exit': { label: 'Left full screen', description: 'The candidate left full-screen mode' },
  'ip-change': { label: 'IP address changed', description: 'The attempt continued from another network' },
  'second-session': { label: 'Second session', description: 'The attempt was open in two browsers' },
};

export const integritySignals = Object.keys(integritySignalLabels) as IntegritySignal[];

export type FeedbackPolicy = AssessmentSettings['feedbackPolicy'];

export const feedbackPolicyLabels: Record<FeedbackPolicy, { label: string; description: string }> = {
  none: { label: 'None', description: 'Candidates see only that their answers were received.' },
  overall: { label: 'Overall score', description: 'Candidates see their overall score.' },
  'by-subtopic': {
    label: 'Score by subtopic',
    description: 'Candidates see their overall score and a score for each subtopic.',
  },
};

/** "3 candidates", "1 candidate". */
export const plural = (n: number, one: string, many = `${one}s`) =>
  `${n.toLocaleString()} ${n === 1 ? one : many}`;
