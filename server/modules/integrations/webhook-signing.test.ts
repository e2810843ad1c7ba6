// The signatures receivers check: the test vectors and the verifier in docs/webhooks.md are what
// integrators copy, so the test reads them from the document itself.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateWebhookSecret, signPayload, verifyWebhook, webhookHeaders } from './webhook-signing.js';

const doc = fs.readFileSync(path.resolve(import.meta.dirname, '../../../docs/webhooks.md'), 'utf8');

function between(start: string, end: string): string {
  const s = doc.indexOf(start);
  const e = doc.indexOf(end);
  if (s < 0 || e < s) throw new Error(`markers ${start} … ${end} missing from docs/webhooks.md`);
  const block = /```\w*\n([\s\S]*?)```/.exec(doc.slice(s, e));
  if (!block?.[1]) throw new Error(`no code block between ${start} and ${end}`);
  return block[1];
}

type Vector = { secret: string; id: string; timestamp: number; body: string; signature: string };
const vectors = JSON.parse(between('<!-- vectors:start -->', '<!-- vectors:end -->')) as Vector[];
const ROTATED = 'whsec_cm90YXRlZC1zZWNyZXQtZm9yLWFzc2F5LXdlYmhvb2s=';

type Verify = (
  secrets: string[],
  headers: Record<string, string>,
  body: string,
  nowSeconds?: number,
) => boolean;
let documented: Verify;

beforeAll(async () => {
  // The verifier exactly as the document shows it, loaded as a module.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assay-verifier-'));
  const file = path.join(dir, 'verify.mjs');
  fs.writeFileSync(file, between('<!-- verifier:start -->', '<!-- verifier:end -->'));
  documented = ((await import(pathToFileURL(file).href)) as { verifyWebhook: Verify }).verifyWebhook;
});

const headersOf = (v: Vector, signature = v.signature) => ({
  'webhook-id': v.id,
  'webhook-timestamp': String(v.timestamp),
  'webhook-signature': signature,
});

describe('webhook signatures', () => {
  it('signs the documented test vectors exactly', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(2);
    for (const v of vectors) expect(signPayload(v.secret, v.id, v.timestamp, v.body)).toBe(v.signature);
  });

  it('verifies the vectors with the documented verifier and with ours', () => {
    for (const v of vectors) {
      expect(documented([v.secret], headersOf(v), v.body, v.timestamp + 10)).toBe(true);
      expect(verifyWebhook([v.secret], headersOf(v), v.body, v.timestamp + 10)).toBe(true);
    }
  });

  it('refuses a body changed by one byte, a wrong secret and a wrong id', () => {
    for (const v of vectors) {
      const changed = `${v.body.slice(0, -2)}${v.body.at(-2) === '}' ? ']' : '}'}${v.body.slice(-1)}`;
      expect(changed).not.toBe(v.body);
      expect(changed.length).toBe(v.body.length);
      expect(documented([v.secret], headersOf(v), changed, v.timestamp)).toBe(false);
      expect(documented([generateWebhookSecret()], headersOf(v), v.body, v.timestamp)).toBe(false);
      expect(documented([v.secret], { ...headersOf(v), 'webhook-id': `${v.id}x` }, v.body, v.timestamp)).toBe(
        false,
      );
    }
  });

  it('refuses a timestamp more than five minutes away', () => {
    const v = vectors[0] as Vector;
    expect(documented([v.secret], headersOf(v), v.body, v.timestamp + 5 * 60)).toBe(true);
    expect(documented([v.secret], headersOf(v), v.body, v.timestamp + 5 * 60 + 1)).toBe(false);
    expect(documented([v.secret], headersOf(v), v.body, v.timestamp - 5 * 60 - 1)).toBe(false);
    expect(verifyWebhook([v.secret], headersOf(v), v.body, v.timestamp + 3600)).toBe(false);
  });

  it('during a rotation, the message verifies with either secret, and the documented header matches', () => {
    const v = vectors[0] as Vector;
    const h = webhookHeaders([ROTATED, v.secret], v.id, v.timestamp, v.body);
    expect(doc).toContain(`webhook-signature: ${h['webhook-signature']}`);
    expect(h['webhook-signature'].split(' ')).toHaveLength(2);
    expect(documented([v.secret], h, v.body, v.timestamp)).toBe(true);
    expect(documented([ROTATED], h, v.body, v.timestamp)).toBe(true);
    expect(documented([generateWebhookSecret()], h, v.body, v.timestamp)).toBe(false);
  });

  it('makes secrets in the Standard Webhooks format', () => {
    const s = generateWebhookSecret();
    expect(s).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(s.slice(6), 'base64')).toHaveLength(32);
  });
});
