// Every message is a row in `emails` first, written in the caller's transaction, then sent by a job.
// With no SMTP_URL the row stays as the outbox that admins can read, so a fresh install loses nothing.
import nodemailer from 'nodemailer';
import { z } from 'zod';
import type { Ctx } from '../context.js';
import type { DbOrTrx } from '../db/database.js';
import { newId } from '../ids.js';
import { defineJob } from '../jobs/job.js';
import { inChunks } from '../jobs/queue.js';
import type { EmailRow } from './emails.table.js';

export type OutgoingEmail = {
  orgId: string | null;
  kind: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Only the recipient may read it (password reset): the outbox shows metadata only. */
  private?: boolean;
};

export type EmailBody = { text: string; html: string };

export type Transport = {
  send(msg: { id: string; from: string; to: string; subject: string } & EmailBody): Promise<void>;
};

export function createSmtpTransport(url: string): Transport {
  const transporter = nodemailer.createTransport(url);
  return {
    async send(msg) {
      await transporter.sendMail({
        from: msg.from,
        to: msg.to,
        subject: msg.subject,
        text: msg.text,
        html: msg.html,
        // One stable Message-ID per row: a retry after a lost acknowledgement is recognisably the same mail.
        messageId: `<${msg.id}@assay>`,
      });
    },
  };
}

export const sendEmailJob = defineJob({
  name: 'mail.send',
  payload: z.object({ emailId: z.string() }),
  maxAttempts: 8,
  backoffMs: 30_000,
  concurrency: 4,
  async handler(ctx, { emailId }) {
    const row = await ctx.db.selectFrom('emails').selectAll().where('id', '=', emailId).executeTakeFirst();
    if (!row || row.status === 'sent' || row.status === 'outbox') return;
    if (!ctx.mailTransport) {
      await ctx.db.updateTable('emails').set({ status: 'outbox' }).where('id', '=', emailId).execute();
      return;
    }
    const body = openEmailBody(ctx, row);
    await ctx.db
      .updateTable('emails')
      .set({ attempts: row.attempts + 1 })
      .where('id', '=', emailId)
      .execute();
    try {
      await ctx.mailTransport.send({
        id: row.id,
        from: ctx.config.mailFrom,
        to: row.to_address,
        subject: row.subject,
        ...body,
      });
    } catch (err) {
      await ctx.db
        .updateTable('emails')
        .set({ last_error: err instanceof Error ? err.message.slice(0, 1000) : String(err) })
        .where('id', '=', emailId)
        .execute();
      throw err;
    }
    await ctx.db
      .updateTable('emails')
      .set({ status: 'sent', sent_at: ctx.clock.now(), last_error: null })
      .where('id', '=', emailId)
      .execute();
  },
  async onDead(ctx, { emailId }) {
    await ctx.db.updateTable('emails').set({ status: 'failed' }).where('id', '=', emailId).execute();
  },
});

/** Records the message and schedules its sending, inside the caller's transaction. */
export async function queueEmail(ctx: Ctx, trx: DbOrTrx, email: OutgoingEmail): Promise<string> {
  const [id] = await queueEmails(ctx, trx, [email]);
  return id!;
}

/** Many messages in a few statements (bulk invitations), with one send job each. */
export async function queueEmails(
  ctx: Pick<Ctx, 'clock' | 'sealer' | 'jobs'>,
  trx: DbOrTrx,
  emails: readonly OutgoingEmail[],
): Promise<string[]> {
  const now = ctx.clock.now();
  const rows = emails.map((email) => ({
    id: newId(now),
    org_id: email.orgId,
    kind: email.kind,
    to_address: email.to.toLowerCase(),
    subject: email.subject,
    body_sealed: ctx.sealer.seal(JSON.stringify({ text: email.text, html: email.html } satisfies EmailBody)),
    private: email.private ? 1 : 0,
    status: 'queued' as const,
    attempts: 0,
    created_at: now,
  }));
  await inChunks(rows, (chunk) => trx.insertInto('emails').values(chunk).execute());
  await ctx.jobs.enqueueMany(
    trx,
    sendEmailJob,
    rows.map((r) => ({ payload: { emailId: r.id }, key: `mail:${r.id}` })),
  );
  return rows.map((r) => r.id);
}

export function openEmailBody(ctx: Pick<Ctx, 'sealer'>, row: Pick<EmailRow, 'body_sealed'>): EmailBody {
  return JSON.parse(ctx.sealer.open(row.body_sealed)) as EmailBody;
}

/** Escapes text for the HTML body of a message. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The one layout every message shares: a heading, paragraphs, an optional button. */
export function renderEmail(parts: {
  heading: string;
  paragraphs: string[];
  action?: { label: string; url: string };
  footer?: string;
}): EmailBody {
  const text = [
    parts.heading,
    '',
    ...parts.paragraphs.flatMap((p) => [p, '']),
    ...(parts.action ? [`${parts.action.label}: ${parts.action.url}`, ''] : []),
    ...(parts.footer ? [parts.footer] : []),
  ].join('\n');
  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#1a1b1e;max-width:560px;margin:0 auto;padding:24px">
<h1 style="font-size:20px">${escapeHtml(parts.heading)}</h1>
${parts.paragraphs.map((p) => `<p style="line-height:1.5">${escapeHtml(p)}</p>`).join('\n')}
${parts.action ? `<p><a href="${escapeHtml(parts.action.url)}" style="display:inline-block;background:#1c7ed6;color:#fff;padding:10px 18px;border-radius:6px;text-decoration:none">${escapeHtml(parts.action.label)}</a></p><p style="font-size:12px;color:#555">Or paste this address into your browser: ${escapeHtml(parts.action.url)}</p>` : ''}
${parts.footer ? `<p style="font-size:12px;color:#555">${escapeHtml(parts.footer)}</p>` : ''}
</body></html>`;
  return { text, html };
}
