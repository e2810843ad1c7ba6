// One HTTP POST to a webhook endpoint, made safe to aim at a URL a customer typed: the host is
// resolved once, private and metadata addresses are refused, the connection goes to exactly the
// address that was checked (so DNS rebinding can't swap it), redirects are never followed, and time
// and response size are bounded.
import dns from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

export const DELIVERY_TIMEOUT_MS = 10_000;
export const RESPONSE_EXCERPT_BYTES = 4096;

const blockedV4 = new net.BlockList();
for (const [prefix, bits] of [
  ['0.0.0.0', 8], // "this network", incl. 0.0.0.0
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, incl. cloud metadata 169.254.169.254
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, incl. 255.255.255.255
] as const) {
  blockedV4.addSubnet(prefix, bits, 'ipv4');
}
const blockedV6 = new net.BlockList();
for (const [prefix, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7], // unique local, incl. fd00:ec2::254 (metadata)
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const) {
  blockedV6.addSubnet(prefix, bits, 'ipv6');
}

/** The IPv4 address an IPv6 address carries (IPv4-mapped, IPv4-compatible, NAT64, 6to4), if any. */
function embeddedIPv4(ip: string): string | undefined {
  const lower = ip.toLowerCase();
  const dotted = /^(?:::ffff:|::|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1];
  const words = expandIPv6(lower);
  if (!words) return undefined;
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  const zeros = (n: number) => words.slice(0, n).every((w) => w === 0);
  // ::ffff:a.b.c.d in hex form (::ffff:7f00:1)
  if (zeros(5) && words[5] === 0xffff) return v4(words[6] ?? 0, words[7] ?? 0);
  // ::a.b.c.d (deprecated IPv4-compatible), not :: or ::1
  if (zeros(6) && ((words[6] ?? 0) !== 0 || (words[7] ?? 0) > 1)) return v4(words[6] ?? 0, words[7] ?? 0);
  // 64:ff9b::/96 (NAT64)
  if (words[0] === 0x64 && words[1] === 0xff9b && words.slice(2, 6).every((w) => w === 0))
    return v4(words[6] ?? 0, words[7] ?? 0);
  // 2002::/16 (6to4)
  if (words[0] === 0x2002) return v4(words[1] ?? 0, words[2] ?? 0);
  return undefined;
}

function expandIPv6(ip: string): number[] | undefined {
  if (!net.isIPv6(ip)) return undefined;
  let s = ip.replace(/%.*$/, '');
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4?.[1]) {
    const p = v4[1].split('.').map(Number);
    s = s.replace(
      v4[1],
      `${(((p[0] ?? 0) << 8) | (p[1] ?? 0)).toString(16)}:${(((p[2] ?? 0) << 8) | (p[3] ?? 0)).toString(16)}`,
    );
  }
  const [head, tail] = s.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : Array(8 - h.length - t.length).fill('0');
  return [...h, ...fill, ...t].map((w) => Number.parseInt(w, 16));
}

/** True for loopback, private, link-local, metadata, multicast and other non-public addresses. */
export function isPrivateAddress(ip: string): boolean {
  const bare = ip.replace(/^\[|\]$/g, '');
  if (net.isIPv4(bare)) return blockedV4.check(bare, 'ipv4');
  if (net.isIPv6(bare)) {
    const v4 = embeddedIPv4(bare);
    if (v4 && net.isIPv4(v4)) return blockedV4.check(v4, 'ipv4');
    return blockedV6.check(bare.replace(/%.*$/, ''), 'ipv6');
  }
  return true; // not an address at all: refuse rather than guess
}

export type DeliveryResult =
  | { kind: 'response'; statusCode: number; durationMs: number; excerpt: string }
  | { kind: 'error'; durationMs: number; error: string }
  /** Never sent: the address is not allowed. */
  | { kind: 'refused'; durationMs: number; error: string };

export type Resolver = (host: string) => Promise<{ address: string; family: number }[]>;
const systemResolver: Resolver = (host) => dns.lookup(host, { all: true, verbatim: true });

/** A problem with the URL itself, found without a network call; undefined when it looks deliverable. */
export function urlProblem(raw: string, allowPrivate: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'Enter a full URL, such as https://example.com/webhooks/assay';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return 'The URL must start with https:// or http://';
  if (url.username || url.password) return 'Put credentials in your receiver, not in the URL';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (
    !allowPrivate &&
    (net.isIP(host) ? isPrivateAddress(host) : /^localhost\.?$|\.localhost\.?$/i.test(host))
  )
    return 'Webhooks cannot be sent to private, loopback or link-local addresses';
  return undefined;
}

export async function postWebhook(
  rawUrl: string,
  headers: Record<string, string>,
  body: string,
  opts: { allowPrivate: boolean; timeoutMs?: number; resolve?: Resolver },
): Promise<DeliveryResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const problem = urlProblem(rawUrl, opts.allowPrivate);
  if (problem) return { kind: 'refused', durationMs: elapsed(), error: problem };
  const url = new URL(rawUrl);
  const host = url.hostname.replace(/^\[|\]$/g, '');

  let target: { address: string; family: number };
  try {
    const found = net.isIP(host)
      ? [{ address: host, family: net.isIP(host) }]
      : await (opts.resolve ?? systemResolver)(host);
    if (found.length === 0) return { kind: 'error', durationMs: elapsed(), error: `${host} did not resolve` };
    // Every address must pass: a name that also points inward is refused, not raced.
    const bad = found.find((a) => isPrivateAddress(a.address));
    if (bad && !opts.allowPrivate) {
      return {
        kind: 'refused',
        durationMs: elapsed(),
        error: `${host} resolves to ${bad.address}, a private or reserved address`,
      };
    }
    target = found[0] as { address: string; family: number };
  } catch (err) {
    return { kind: 'error', durationMs: elapsed(), error: `DNS lookup failed: ${(err as Error).message}` };
  }

  const client = url.protocol === 'https:' ? https : http;
  return new Promise<DeliveryResult>((resolve) => {
    let settled = false;
    const finish = (r: DeliveryResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const req = client.request(
      url,
      {
        method: 'POST',
        // A fresh connection each time, to the checked address only.
        agent: false,
        lookup: ((_host: string, options: { all?: boolean }, cb: (...a: unknown[]) => void) => {
          if (options?.all) cb(null, [{ address: target.address, family: target.family }]);
          else cb(null, target.address, target.family);
        }) as unknown as net.LookupFunction,
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': 'Assay-Webhooks/1',
        },
        ...(url.protocol === 'https:' && !net.isIP(host) ? { servername: host } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const done = () =>
          finish({
            kind: 'response',
            statusCode: res.statusCode ?? 0,
            durationMs: elapsed(),
            // Text for the log: NUL can't be stored in a PostgreSQL text column.
            excerpt: Buffer.concat(chunks)
              .toString('utf8')
              .slice(0, RESPONSE_EXCERPT_BYTES)
              .replaceAll('\u0000', ''),
          });
        res.on('data', (c: Buffer) => {
          if (size < RESPONSE_EXCERPT_BYTES) chunks.push(c.subarray(0, RESPONSE_EXCERPT_BYTES - size));
          size += c.length;
          // Enough read: the status is what counts, and a huge body must not hold the worker.
          if (size >= RESPONSE_EXCERPT_BYTES) {
            done();
            res.destroy();
          }
        });
        res.on('end', done);
        res.on('error', done);
        res.on('close', done);
      },
    );
    const timer = setTimeout(() => {
      req.destroy(new Error(`timed out after ${opts.timeoutMs ?? DELIVERY_TIMEOUT_MS} ms`));
    }, opts.timeoutMs ?? DELIVERY_TIMEOUT_MS);
    timer.unref();
    req.on('error', (err) => finish({ kind: 'error', durationMs: elapsed(), error: err.message }));
    req.end(body);
  });
}
