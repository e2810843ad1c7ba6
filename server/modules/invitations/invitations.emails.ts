// The messages candidates receive: the invitation, its reminders and the public-link verification.
// Each carries a secret link; the mailer seals message bodies at rest.
import { renderEmail } from '../../mail/mailer.js';

const when = (ms: number) => new Date(ms).toUTCString();

function timeLine(totalMinutes: number, sectionCount: number) {
  return `It has ${sectionCount} ${sectionCount === 1 ? 'section' : 'sections'} and takes about ${totalMinutes} minutes. The timer starts only when you press Start, not when you open the link.`;
}

export function invitationEmail(p: {
  candidateName: string;
  orgName: string;
  assessmentName: string;
  url: string;
  expiresAt: number;
  totalMinutes: number;
  sectionCount: number;
  accommodationsContact: string;
}) {
  return {
    subject: `${p.orgName} invites you to take "${p.assessmentName}"`,
    ...renderEmail({
      heading: `${p.assessmentName} at ${p.orgName}`,
      paragraphs: [
        `Hello ${p.candidateName},`,
        `${p.orgName} invites you to take the assessment "${p.assessmentName}" on Assay.`,
        timeLine(p.totalMinutes, p.sectionCount),
        `Please complete it before ${when(p.expiresAt)}.`,
        ...(p.accommodationsContact
          ? [`If you need accommodations such as extra time, contact ${p.accommodationsContact}.`]
          : []),
      ],
      action: { label: 'Open the assessment', url: p.url },
      footer:
        'This link is personal: please don’t share it. If you weren’t expecting this, ignore this message.',
    }),
  };
}

export function reminderEmail(p: {
  candidateName: string;
  orgName: string;
  assessmentName: string;
  url: string;
  expiresAt: number;
}) {
  return {
    subject: `Reminder: "${p.assessmentName}" closes on ${new Date(p.expiresAt).toUTCString().slice(0, 16)}`,
    ...renderEmail({
      heading: `A reminder from ${p.orgName}`,
      paragraphs: [
        `Hello ${p.candidateName},`,
        `You haven’t finished the assessment "${p.assessmentName}" yet. Your invitation expires on ${when(p.expiresAt)}.`,
      ],
      action: { label: 'Open the assessment', url: p.url },
      footer: 'If you have already finished, you can ignore this message.',
    }),
  };
}

export function verificationEmail(p: { name: string; orgName: string; assessmentName: string; url: string }) {
  return {
    subject: `Confirm your email to take "${p.assessmentName}"`,
    ...renderEmail({
      heading: 'Confirm your email address',
      paragraphs: [
        `Hello ${p.name},`,
        `You registered for the assessment "${p.assessmentName}" from ${p.orgName}. Confirm your email address to receive your personal link. The confirmation link works once and expires in 24 hours.`,
      ],
      action: { label: 'Confirm and continue', url: p.url },
      footer: 'If you didn’t register, ignore this message: nothing happens without the confirmation.',
    }),
  };
}
