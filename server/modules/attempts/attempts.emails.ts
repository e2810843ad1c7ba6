// The one message a candidate gets after an attempt: the result (per the feedback policy), a thank-you
// when results are not shared, or a receipt when uploads wait for review. Queued in the transaction
// that made the status change, so it goes out exactly once.
import type { Ctx } from '../../context.js';
import type { DbOrTrx } from '../../db/database.js';
import { queueEmail, renderEmail } from '../../mail/mailer.js';
import { type AttemptContext, findCandidateContact } from './attempts.ports.js';

export type AttemptEmail =
  | {
      kind: 'result' | 'thanks';
      orgId: string;
      candidateId: string;
      context: AttemptContext;
      score: number | null;
      bySubtopic: Record<string, number>;
    }
  | {
      kind: 'receipt';
      orgId: string;
      candidateId: string;
      context: AttemptContext;
      files: Array<{ name: string; size: number; sha256: string }>;
    };

export const percent = (x: number) => `${Math.round(x * 100)}%`;

const SUBTOPIC_LABELS: Record<string, string> = {
  'server-side-languages': 'Server-side languages',
  databases: 'Databases',
  'api-integration': 'API integration',
  'server-management': 'Server management',
  'security-auth': 'Security & authentication',
  'caching-performance': 'Caching & performance',
};

/** A readable name for a subtopic id ('api-integration' → 'API integration'). */
export function subtopicLabel(id: string): string {
  const known = SUBTOPIC_LABELS[id];
  if (known) return known;
  const words = id.replaceAll('-', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export async function queueAttemptEmail(ctx: Ctx, trx: DbOrTrx, e: AttemptEmail): Promise<void> {
  const to = await findCandidateContact(trx, e.orgId, e.candidateId);
  if (!to) return;
  const { assessmentName, organizationName, settings } = e.context;
  const footer = `Sent by ${organizationName} through Assay.`;
  let subject: string;
  let body: ReturnType<typeof renderEmail>;
  if (e.kind === 'receipt') {
    subject = `We received your submission for ${assessmentName}`;
    body = renderEmail({
      heading: 'Submission received',
      paragraphs: [
        `Thank you for completing ${assessmentName}. Your answers are in, and your files will be reviewed by the team at ${organizationName}.`,
        ...(e.files.length
          ? [
              'Files received:',
              ...e.files.map((f) => `${f.name} (${formatBytes(f.size)}, SHA-256 ${f.sha256.slice(0, 16)}…)`),
            ]
          : []),
      ],
      footer,
    });
  } else if (e.kind === 'thanks' || e.score === null) {
    subject = `Thank you for completing ${assessmentName}`;
    body = renderEmail({
      heading: 'Thank you',
      paragraphs: [
        `Thank you for completing ${assessmentName}. The team at ${organizationName} will be in touch about the next steps.`,
      ],
      footer,
    });
  } else {
    subject = `Your result for ${assessmentName}`;
    const lines = [`You completed ${assessmentName} with an overall score of ${percent(e.score)}.`];
    if (settings.feedbackPolicy === 'by-subtopic') {
      lines.push(
        'By topic:',
        ...Object.entries(e.bySubtopic).map(([k, v]) => `${subtopicLabel(k)}: ${percent(v)}`),
      );
    }
    lines.push(`The team at ${organizationName} will be in touch about the next steps.`);
    body = renderEmail({ heading: 'Your result', paragraphs: lines, footer });
  }
  await queueEmail(ctx, trx, { orgId: e.orgId, kind: `attempt.${e.kind}`, to: to.email, subject, ...body });
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
