// The delivery transport refuses inward targets (SSRF) and never follows a redirect.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver } from './test-receiver.js';
import { isPrivateAddress, postWebhook, urlProblem } from './webhook-transport.js';

describe('webhook transport', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let other: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    receiver = await startReceiver();
    other = await startReceiver();
  });
  afterAll(async () => {
    await receiver.close();
    await other.close();
  });

  it('classifies private, loopback, link-local, metadata and mapped addresses', () => {
    for (const ip of [
      '127.0.0.1',
      '127.255.0.9',
      '10.0.0.1',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '0.0.0.0',
      '100.64.0.1',
      '::1',
      '[::1]',
      '::',
      'fc00::1',
      'fd00:ec2::254',
      'fe80::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::ffff:a9fe:a9fe',
      '64:ff9b::a9fe:a9fe',
      '2002:7f00:1::',
      'not-an-ip',
    ]) {
      expect(isPrivateAddress(ip), ip).toBe(true);
    }
    for (const ip of ['93.184.216.34', '1.1.1.1', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8']) {
      expect(isPrivateAddress(ip), ip).toBe(false);
    }
  });

  it('refuses private targets by address and by name, without sending anything', async () => {
    const port = receiver.port;
    const before = receiver.received.length;
    for (const url of [
      `http://127.0.0.1:${port}/hooks`,
      `http://10.0.0.1:${port}/hooks`,
      'http://169.254.169.254/latest/meta-data/',
      `http://[::1]:${port}/hooks`,
      `http://[::ffff:127.0.0.1]:${port}/hooks`,
      `http://0.0.0.0:${port}/hooks`,
      `http://2130706433:${port}/hooks`, // 127.0.0.1 written as a number
      `http://localhost:${port}/hooks`,
    ]) {
      const r = await postWebhook(url, {}, '{}', { allowPrivate: false });
      expect(r.kind, url).toBe('refused');
    }
    // A public-looking name that resolves inward (or partly inward) is refused after resolution.
    for (const answers of [
      [{ address: '127.0.0.1', family: 4 }],
      [
        { address: '93.184.216.34', family: 4 },
        { address: '10.1.2.3', family: 4 },
      ],
      [{ address: '::ffff:169.254.169.254', family: 6 }],
    ]) {
      const r = await postWebhook(`http://hooks.example.test:${port}/hooks`, {}, '{}', {
        allowPrivate: false,
        resolve: async () => answers,
      });
      expect(r.kind).toBe('refused');
    }
    expect(receiver.received.length).toBe(before);
    expect(urlProblem('ftp://example.com/x', true)).toMatch(/https/);
    expect(urlProblem('https://user:pw@example.com/x', true)).toMatch(/credentials/);
  });

  it('connects to the address it checked, not to a fresh lookup (DNS rebinding)', async () => {
    let lookups = 0;
    const r = await postWebhook(`http://rebind.example.test:${receiver.port}/hooks`, {}, '{"a":1}', {
      allowPrivate: true,
      resolve: async () => {
        lookups++;
        return [{ address: '127.0.0.1', family: 4 }];
      },
    });
    expect(r).toMatchObject({ kind: 'response', statusCode: 200 });
    expect(lookups).toBe(1);
    const got = receiver.received.at(-1);
    expect(got?.headers.host).toBe(`rebind.example.test:${receiver.port}`);
    expect(got?.body).toBe('{"a":1}');
  });

  it('treats a redirect as a failure and never follows it', async () => {
    receiver.answer(() => ({ status: 302, headers: { location: other.url } }));
    const r = await postWebhook(receiver.url, {}, '{}', { allowPrivate: true });
    receiver.answer(() => ({ status: 200 }));
    expect(r).toMatchObject({ kind: 'response', statusCode: 302 });
    expect(other.received).toHaveLength(0);
  });

  it('reads at most 4 KB of the answer, as storable text', async () => {
    receiver.answer(() => ({ status: 500, body: `nul\u0000${'x'.repeat(100_000)}` }));
    const r = await postWebhook(receiver.url, {}, '{}', { allowPrivate: true });
    receiver.answer(() => ({ status: 200 }));
    expect(r.kind).toBe('response');
    if (r.kind === 'response') {
      expect(r.excerpt.length).toBeLessThanOrEqual(4096);
      expect(r.excerpt.startsWith('nulx')).toBe(true);
    }
  });
});
