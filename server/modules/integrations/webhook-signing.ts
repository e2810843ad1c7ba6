// Standard Webhooks signatures (https://www.standardwebhooks.com): an HMAC-SHA256 over
// `${id}.${timestamp}.${body}` keyed with the base64-decoded part of a `whsec_` secret, sent as
// `v1,<base64>`; several space-separated signatures while a rotated secret is still honoured.
// docs/webhooks.md carries the same verifier for receivers, with test vectors a test checks.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SECRET_PREFIX = 'whsec_';
/** Receivers should refuse messages older (or newer) than this, to blunt replays. */
export const TIMESTAMP_TOLERANCE_S = 5 * 60;

export function generateWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

function secretBytes(secret: string): Buffer {
  return Buffer.from(
    secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret,
    'base64',
  );
}

/** One `v1,<base64>` signature. */
export function signPayload(secret: string, id: string, timestampS: number, body: string): string {
  const mac = createHmac('sha256', secretBytes(secret))
    .update(`${id}.${timestampS}.${body}`)
    .digest('base64');
  return `v1,${mac}`;
}

/** The three headers of one delivery; every secret given signs it (new and old during a rotation). */
export function webhookHeaders(
  secrets: string[],
  id: string,
  timestampS: number,
  body: string,
): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampS),
    'webhook-signature': secrets.map((s) => signPayload(s, id, timestampS, body)).join(' '),
  };
}

/**
 * The receiver's check: true when any signature in the header was made with any of the secrets and
 * the timestamp is within the tolerance of `nowS`.
 */
export function verifyWebhook(
  secrets: string[],
  headers: Record<string, string | undefined>,
  body: string,
  nowS = Math.floor(Date.now() / 1000),
): boolean {
  const id = headers['webhook-id'];
  const ts = headers['webhook-timestamp'];
  const sigs = headers['webhook-signature'];
  if (!id || !ts || !sigs || !/^\d+$/.test(ts)) return false;
  if (Math.abs(nowS - Number(ts)) > TIMESTAMP_TOLERANCE_S) return false;
  const offered = sigs.split(' ').map((s) => Buffer.from(s));
  for (const secret of secrets) {
    const expected = Buffer.from(signPayload(secret, id, Number(ts), body));
    if (offered.some((o) => o.length === expected.length && timingSafeEqual(o, expected))) return true;
  }
  return false;
}
