import { renderEmail } from '../../mail/mailer.js';

export function passwordResetEmail(p: { name: string; url: string }) {
  return {
    subject: 'Reset your Assay password',
    ...renderEmail({
      heading: 'Reset your password',
      paragraphs: [
        `Hello ${p.name},`,
        'Someone asked to reset the password of your Assay account. If it was you, choose a new password with the link below. It works once and expires in one hour.',
        'If it wasn’t you, ignore this message: your password stays as it is.',
      ],
      action: { label: 'Choose a new password', url: p.url },
    }),
  };
}

export function teamInvitationEmail(p: {
  orgName: string;
  inviterName: string;
  role: string;
  url: string;
  expiresAt: Date;
}) {
  return {
    subject: `You're invited to join ${p.orgName} on Assay`,
    ...renderEmail({
      heading: `Join ${p.orgName} on Assay`,
      paragraphs: [
        `${p.inviterName} invited you to join ${p.orgName} as ${p.role === 'admin' ? 'an' : 'a'} ${p.role}.`,
        `The invitation expires on ${p.expiresAt.toUTCString()}.`,
      ],
      action: { label: 'Accept the invitation', url: p.url },
      footer: 'If you weren’t expecting this, you can ignore this message.',
    }),
  };
}
