import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobRegistry } from '../job-registry.js';
import { JobRunner } from '../jobs/runner.js';
import { createTestEnv, dialects, type TestEnv } from '../test/harness.js';
import { startSmtpServer } from '../test/smtp.js';
import { createSmtpTransport, openEmailBody, queueEmail, renderEmail } from './mailer.js';

const SECRET_LINK = 'http://assay.test/i/SECRET-TOKEN-abc123';

function message(to: string) {
  return {
    orgId: null,
    kind: 'test',
    to,
    subject: 'Your invitation',
    ...renderEmail({
      heading: 'Hello',
      paragraphs: ['Take the test.'],
      action: { label: 'Open', url: SECRET_LINK },
    }),
  };
}

describe.each(dialects)('mailer (%s)', (dialect) => {
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let env: TestEnv;
  beforeAll(async () => {
    smtp = await startSmtpServer({ failFirst: 1 });
    env = await createTestEnv(dialect, { overrides: { mailTransport: createSmtpTransport(smtp.url) } });
  });
  afterAll(async () => {
    await env.close();
    await smtp.close();
  });

  it('sends text and HTML over SMTP from a job, retrying a failed send', async () => {
    const id = await env.ctx.db
      .transaction()
      .execute((trx) => queueEmail(env.ctx, trx, message('Candidate@Example.com')));
    const runner = new JobRunner(env.ctx, jobRegistry);
    await runner.drain();
    // The first delivery was refused by the server (451): the job is waiting to retry.
    let row = await env.ctx.db
      .selectFrom('emails')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('queued');
    expect(row.last_error).toMatch(/451/);
    expect(smtp.received).toHaveLength(0);
    env.clock.advance(10 * 60_000);
    await runner.drain();
    row = await env.ctx.db.selectFrom('emails').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.status).toBe('sent');
    expect(smtp.received).toHaveLength(1);
    const got = smtp.received[0]!;
    expect(got.to).toEqual(['candidate@example.com']);
    expect(got.raw).toContain('text/plain');
    expect(got.raw).toContain('text/html');
    expect(got.raw).toContain('SECRET-TOKEN-abc123');
    expect(got.raw).toContain(`Message-ID: <${id}@assay>`);
  });

  it('keeps secret links encrypted at rest', async () => {
    const id = await env.ctx.db
      .transaction()
      .execute((trx) => queueEmail(env.ctx, trx, message('x@example.com')));
    const row = await env.ctx.db
      .selectFrom('emails')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain('SECRET-TOKEN');
    expect(openEmailBody(env.ctx, row).text).toContain(SECRET_LINK);
  });

  it('writes nothing when the enqueuing transaction rolls back', async () => {
    await expect(
      env.ctx.db.transaction().execute(async (trx) => {
        await queueEmail(env.ctx, trx, message('rollback@example.com'));
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    const rows = await env.ctx.db
      .selectFrom('emails')
      .select('id')
      .where('to_address', '=', 'rollback@example.com')
      .execute();
    expect(rows).toHaveLength(0);
  });
});

describe.each(dialects)('mailer without SMTP (%s)', (dialect) => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await createTestEnv(dialect);
  });
  afterAll(() => env.close());

  it('keeps the message in the outbox, readable, when no SMTP server is configured', async () => {
    const id = await env.ctx.db
      .transaction()
      .execute((trx) => queueEmail(env.ctx, trx, message('y@example.com')));
    await new JobRunner(env.ctx, jobRegistry).drain();
    const row = await env.ctx.db
      .selectFrom('emails')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('outbox');
    expect(openEmailBody(env.ctx, row).html).toContain('href="http://assay.test/i/SECRET-TOKEN-abc123"');
  });
});
