import type { Ctx } from '../../context.js';
import { notFound } from '../../errors.js';
import { toIso, toIsoOrNull } from '../../http/schemas.js';
import type { EmailRow } from '../../mail/emails.table.js';
import { openEmailBody } from '../../mail/mailer.js';

function toSummary(r: EmailRow) {
  return {
    id: r.id,
    kind: r.kind,
    to: r.to_address,
    subject: r.subject,
    status: r.status,
    private: r.private === 1,
    createdAt: toIso(r.created_at),
    sentAt: toIsoOrNull(r.sent_at),
    lastError: r.last_error,
  };
}

export async function listOutbox(
  ctx: Ctx,
  orgId: string,
  q: { cursor?: string; limit: number; kind?: string },
) {
  let query = ctx.db
    .selectFrom('emails')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('id', 'desc')
    .limit(q.limit + 1);
  if (q.cursor) query = query.where('id', '<', q.cursor);
  if (q.kind) query = query.where('kind', '=', q.kind);
  const rows = await query.execute();
  const page = rows.slice(0, q.limit);
  return { items: page.map(toSummary), nextCursor: rows.length > q.limit ? (page.at(-1)?.id ?? null) : null };
}

export async function getOutboxEmail(ctx: Ctx, orgId: string, emailId: string) {
  const row = await ctx.db
    .selectFrom('emails')
    .selectAll()
    .where('id', '=', emailId)
    .where('org_id', '=', orgId)
    .executeTakeFirst();
  if (!row) throw notFound('Email');
  const body = row.private ? null : openEmailBody(ctx, row);
  return { ...toSummary(row), text: body?.text ?? null, html: body?.html ?? null };
}
