// Tokens, sessions, passwords and API keys.
// E1: every secret the app hands out has ≥128 bits from a CSPRNG; none is stored or logged in plain
//     text (a full flow, then the raw database dump and the captured logs are searched for each one);
//     cookies are HttpOnly and SameSite; pages send Referrer-Policy: no-referrer.
// E2: guessing link tokens is rate limited per address, unknown and expired tokens look the same.
// F1: stored hashes are argon2id at or above OWASP's minimum; the password policy; rehash on login.
// F2: credential stuffing: lockout per account (with the reset path open), per-address limits, one
//     answer for unknown and known users.
// F3: API keys: shown once, hashed, refused in the address, dead the moment they are revoked; a
//     removed member's sessions end at once.
import { randomBytes } from 'node:crypto';
import { hashToken } from '../../server/crypto.js';
import { hashPassword, verifyPassword } from '../../server/modules/accounts/passwords.js';
import { createTestInvitation } from '../../server/modules/attempts/attempts.factories.js';
import { linkTokenIn, mailTo } from '../../server/modules/invitations/test-helpers.js';
import { addMember, PASSWORD } from '../../server/test/factories.js';
import { cookieFrom, nextIp, signInAgent } from '../../server/test/harness.js';
import { dumpDatabase, findNeedles } from '../lib/dump.js';
import { atLeast, atMost, type Figure, fmt, ms, percentile, reported, zero } from '../lib/figures.js';
import { bearer, type CheckContext, call, createWorld, pick } from '../lib/world.js';

const bitsOf = (token: string) => Buffer.from(token.replace(/^[a-z_]+_/, ''), 'base64url').length * 8;
const strip = (body: string) => body.replace(/"requestId":"[^"]*"/, '');

export async function tokensAndSessions(c: CheckContext): Promise<Figure[]> {
  const w = await createWorld(c.dialect, { env: { ASSAY_SIGNUP: 'open' } });
  const { t, a } = w;
  try {
    const owner = a.agents.owner;
    const secrets: Array<{ what: string; value: string }> = [];
    const flags: string[] = [];
    // A flow that issues one of every secret: invitation link, candidate cookie, staff session and
    // CSRF token, team invitation, password reset, public link, registration, API key, webhook secret.
    const email = `flow-${randomBytes(3).toString('hex')}@example.com`;
    await call(t.app, {
      method: 'POST',
      url: `/api/v1/assessments/${a.assessmentId}/invitations`,
      headers: owner.headers,
      payload: { email, name: 'Flow Person' },
    });
    await t.runJobs();
    const link = await linkTokenIn(t, email, '/i/', 'candidate-invitation');
    secrets.push({ what: 'invitation link token', value: link });
    // Opening the link's page is logged: the token must be masked there.
    await call(t.app, { method: 'GET', url: `/i/${link}`, headers: { accept: 'text/html' } });
    await call(t.app, { method: 'GET', url: `/api/v1/take/landing?token=${link}` });
    const start = await call(t.app, { method: 'POST', url: '/api/v1/take/start', payload: { token: link } });
    const candCookie = String(start.headers['set-cookie'] ?? '');
    secrets.push({ what: 'candidate session cookie', value: cookieFrom(start).split('=')[1] ?? '' });
    if (!/HttpOnly/i.test(candCookie) || !/SameSite=Strict/i.test(candCookie))
      flags.push(`candidate cookie: ${candCookie}`);
    const signIn = await call(t.app, {
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email: a.email, password: PASSWORD },
    });
    const staffCookie = String(signIn.headers['set-cookie'] ?? '');
    secrets.push({ what: 'staff session cookie', value: cookieFrom(signIn).split('=')[1] ?? '' });
    secrets.push({ what: 'CSRF token', value: (signIn.json() as { csrfToken: string }).csrfToken });
    if (!/HttpOnly/i.test(staffCookie) || !/SameSite=(Lax|Strict)/i.test(staffCookie))
      flags.push(`staff cookie: ${staffCookie}`);
    const invitee = `member-${randomBytes(3).toString('hex')}@example.com`;
    await call(t.app, {
      method: 'POST',
      url: '/api/v1/team/invitations',
      headers: owner.headers,
      payload: { email: invitee, role: 'reviewer' },
    });
    await call(t.app, {
      method: 'POST',
      url: '/api/v1/auth/password-reset/request',
      payload: { email: a.email },
    });
    await t.runJobs();
    const teamMail = (await mailTo(t, invitee)).at(-1);
    const teamToken = /\/join\/([A-Za-z0-9_-]+)/.exec(teamMail?.text ?? '')?.[1];
    if (teamToken) secrets.push({ what: 'team invitation token', value: teamToken });
    // Reset mail is private: read it as the recipient would.
    const resetMail = (await mailTo(t, a.email)).at(-1);
    const resetToken = /\/reset-password\/([A-Za-z0-9_-]+)/.exec(resetMail?.text ?? '')?.[1];
    if (resetToken) {
      secrets.push({ what: 'password reset token', value: resetToken });
      await call(t.app, {
        method: 'GET',
        url: `/reset-password/${resetToken}`,
        headers: { accept: 'text/html' },
      });
    }
    const pub = await call(t.app, {
      method: 'POST',
      url: `/api/v1/assessments/${a.assessmentId}/public-link`,
      headers: owner.headers,
      payload: {},
    });
    const pubToken =
      String((pub.json() as { url?: string }).url ?? '')
        .split('/')
        .pop() ?? '';
    if (pubToken) secrets.push({ what: 'public link token', value: pubToken });
    await call(t.app, {
      method: 'POST',
      url: '/api/v1/public-links/register',
      payload: {
        token: pubToken,
        name: 'Reg Person',
        email: `reg-${randomBytes(3).toString('hex')}@example.com`,
      },
    });
    await t.runJobs();
    const regMail = await t.ctx.db
      .selectFrom('emails')
      .select(['id', 'to_address'])
      .where('kind', '=', 'public-registration')
      .orderBy('id', 'desc')
      .executeTakeFirst();
    if (regMail) {
      const m = (await mailTo(t, regMail.to_address)).at(-1);
      const reg = /([A-Za-z0-9_-]{40,})/.exec(m?.text.split('\n').find((l) => l.includes('http')) ?? '')?.[1];
      if (reg) secrets.push({ what: 'registration verification token', value: reg });
    }
    secrets.push(...Object.entries(a.keys).map(([scope, value]) => ({ what: `${scope} API key`, value })));
    const hook = await call(t.app, {
      method: 'POST',
      url: '/api/v1/webhook-endpoints',
      headers: owner.headers,
      payload: { url: 'https://hooks.example.com/x', eventTypes: ['attempt.graded'] },
    });
    secrets.push({ what: 'webhook signing secret', value: (hook.json() as { secret: string }).secret });
    // The same secrets once more, as requests that carry them (the access log sees those).
    await call(t.app, { method: 'GET', url: '/api/v1/organization', headers: bearer(a.keys.read) });

    const entropy = secrets.map((s) => ({
      ...s,
      bits: s.what.includes('webhook') ? bitsOf(s.value.replace(/^whsec_/, '')) : bitsOf(s.value),
    }));
    const weak = entropy
      .filter((s) => s.bits < 128 || /^[0-9a-f-]{36}$/.test(s.value))
      .map((s) => `${s.what}: ${s.bits} bits`);
    const rows = await dumpDatabase(t.ctx);
    const atRest = findNeedles(
      secrets.map((s) => s.value).filter((v) => v.length >= 16),
      rows.map((r) => ({ where: `table ${r.table}`, text: r.text })),
    );
    const logged = findNeedles(
      secrets.map((s) => s.value).filter((v) => v.length >= 16),
      t.logs.map((l, i) => ({ where: `log line ${i + 1}`, text: l })),
    );
    // What is stored is the hash: the link token's hash is there.
    const hashed = rows.some((r) => r.text.includes(hashToken(link)));
    const page = await call(t.app, { method: 'GET', url: '/healthz' });
    if (page.headers['referrer-policy'] !== 'no-referrer')
      flags.push(`Referrer-Policy: ${page.headers['referrer-policy']}`);
    return [
      atLeast(
        'E1',
        'token entropy',
        Math.min(...entropy.map((s) => s.bits)),
        128,
        `${secrets.length} kinds of secret, the weakest with ${Math.min(...entropy.map((s) => s.bits))} bits from the CSPRNG (none UUID-shaped)`,
        { unit: 'bits', details: weak },
      ),
      zero(
        'E1',
        'plaintext secrets at rest',
        [...atRest, ...(hashed ? [] : ['the link token is not stored as its SHA-256 hash'])],
        `in a raw dump of ${fmt(rows.length)} rows, for ${secrets.length} secrets a full flow issued`,
      ),
      zero(
        'E1',
        'secrets in logs',
        logged,
        `in ${fmt(t.logs.length)} log lines of the same flow (links opened, keys used)`,
      ),
      zero(
        'E1',
        'cookie and header flags missing',
        flags,
        'on the candidate cookie (HttpOnly, SameSite=Strict), the staff cookie (HttpOnly, SameSite) and Referrer-Policy: no-referrer',
      ),
    ];
  } finally {
    await w.close();
  }
}

export async function tokenGuessing(c: CheckContext): Promise<Figure[]> {
  const w = await createWorld(c.dialect);
  const { t, a } = w;
  const guesses = pick(c.scale, { test: 80, quick: 2_000, full: 100_000 });
  try {
    let hits = 0;
    const allowed = { landing: 0, start: 0 };
    const ip = nextIp();
    for (let i = 0; i < guesses; i++) {
      const route = i % 2 ? 'start' : 'landing';
      const res = await call(t.app, {
        method: 'POST',
        url: `/api/v1/take/${route}`,
        payload: { token: randomBytes(32).toString('base64url') },
        ip,
      });
      if (res.statusCode !== 429) allowed[route]++;
      if (res.statusCode === 200) hits++;
    }
    // Spread over 256 addresses: each gets its own allowance.
    let spreadAllowed = 0;
    const spreadGuesses = pick(c.scale, { test: 512, quick: 2_560, full: 25_600 });
    for (let i = 0; i < spreadGuesses; i++) {
      const res = await call(t.app, {
        method: 'POST',
        url: '/api/v1/take/landing',
        payload: { token: randomBytes(32).toString('base64url') },
        ip: `10.123.${i % 256}.7`,
      });
      if (res.statusCode !== 429) spreadAllowed++;
      if (res.statusCode === 200) hits++;
    }
    // Unknown, expired and revoked tokens: the same answer.
    const expired = await createTestInvitation(t.ctx, a, a.assessmentId, { expiresInMs: -1_000 });
    const revoked = await createTestInvitation(t.ctx, a, a.assessmentId);
    await call(t.app, {
      method: 'POST',
      url: `/api/v1/invitations/${revoked.invitationId}/revoke`,
      headers: a.agents.owner.headers,
    });
    const differ: string[] = [];
    const timing = { unknown: [] as number[], expired: [] as number[] };
    for (const route of ['landing', 'start'] as const) {
      const unknown = await call(t.app, {
        method: 'POST',
        url: `/api/v1/take/${route}`,
        payload: { token: randomBytes(32).toString('base64url') },
      });
      for (const [what, token] of [
        ['expired', expired.token],
        ['revoked', revoked.token],
      ] as const) {
        const res = await call(t.app, { method: 'POST', url: `/api/v1/take/${route}`, payload: { token } });
        if (res.statusCode !== unknown.statusCode || strip(res.body) !== strip(unknown.body))
          differ.push(
            `${route}: ${what} → ${res.statusCode} ${strip(res.body)}, unknown → ${unknown.statusCode} ${strip(unknown.body)}`,
          );
      }
    }
    const samples = pick(c.scale, { test: 10, quick: 200, full: 1_000 });
    for (let i = 0; i < samples; i++) {
      for (const kind of ['unknown', 'expired'] as const) {
        const token = kind === 'expired' ? expired.token : randomBytes(32).toString('base64url');
        const t0 = performance.now();
        await call(t.app, { method: 'POST', url: '/api/v1/take/landing', payload: { token } });
        timing[kind].push(performance.now() - t0);
      }
    }
    const delta = Math.abs(percentile(timing.unknown, 50) - percentile(timing.expired, 50));
    const timingText = `unknown vs expired token: p50 ${ms(percentile(timing.unknown, 50))} vs ${ms(percentile(timing.expired, 50))}, delta ${ms(delta)} over ${samples} pairs`;
    return [
      zero(
        'E2',
        'valid hits',
        hits > 0 ? [`${hits} guesses found a live invitation`] : [],
        `in ${fmt(guesses + spreadGuesses)} random 256-bit guesses`,
      ),
      atMost(
        'E2',
        'guesses allowed per address per minute',
        Math.max(allowed.landing, allowed.start),
        30,
        `${allowed.landing} landing and ${allowed.start} start guesses let through of ${fmt(guesses)} from one address within a minute (the rest 429)`,
      ),
      reported(
        'E2',
        'guesses allowed across 256 addresses',
        spreadAllowed,
        `${fmt(spreadAllowed)} of ${fmt(spreadGuesses)} guesses let through from 256 addresses (per-address limits; at 256 bits per token, a global limit buys nothing measurable)`,
      ),
      zero(
        'E2',
        'unknown vs expired/revoked replies that differ',
        differ,
        'on the landing and start routes (status and body)',
      ),
      // Timing comparisons decide only the full run; shorter runs report them.
      c.scale !== 'full'
        ? reported('E2', 'timing delta', delta, timingText)
        : atMost('E2', 'timing delta p50', delta, 5, timingText, { strict: true, unit: 'ms' }),
    ];
  } finally {
    await w.close();
  }
}

export async function passwordsAndSignIn(c: CheckContext): Promise<Figure[]> {
  const w = await createWorld(c.dialect, { env: { ASSAY_SIGNUP: 'open' } });
  const { t, a } = w;
  try {
    // F1: the policy, by signing up.
    const cases: Array<[string, string, boolean]> = [
      ['short', 'abc12345', false],
      ['common (breached list)', '1234567890', false],
      ['common, another case', 'QwertyUiop', false],
      [
        '64+ characters',
        'a long passphrase that goes on and on well past sixty-four characters, with spaces',
        true,
      ],
      ['Unicode', 'correct 🐎 horse battery stäple', true],
      ['no composition rules', 'allowercaseletters', true],
    ];
    const policy: string[] = [];
    for (const [what, password, accept] of cases) {
      const res = await call(t.app, {
        method: 'POST',
        url: '/api/v1/auth/sign-up',
        payload: {
          name: 'Pat',
          email: `pat-${randomBytes(3).toString('hex')}@example.com`,
          password,
          organizationName: 'Pat Co',
        },
      });
      const ok = res.statusCode < 300;
      if (ok !== accept)
        policy.push(`${what}: ${res.statusCode} (expected ${accept ? 'accepted' : 'refused'})`);
    }
    // A user whose stored hash is weak (an older version) is upgraded at sign-in.
    const old = await addMember(t.ctx, a.orgId, 'recruiter');
    const weakHash = await hashPassword(PASSWORD, { memoryCost: 4096, timeCost: 1, parallelism: 1 });
    await t.ctx.db
      .updateTable('users')
      .set({ password_hash: weakHash })
      .where('id', '=', old.userId)
      .execute();
    await signInAgent(t.app, old.email, PASSWORD);
    const rehashed = await t.ctx.db
      .selectFrom('users')
      .select('password_hash')
      .where('id', '=', old.userId)
      .executeTakeFirstOrThrow();
    if (rehashed.password_hash === weakHash) policy.push('a weak stored hash was not upgraded at sign-in');
    const users = await t.ctx.db.selectFrom('users').select(['email', 'password_hash']).execute();
    const below = users
      .filter((u) => u.password_hash !== null)
      .filter((u) => {
        const m = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(u.password_hash ?? '');
        return !m || Number(m[1]) < 19_456 || Number(m[2]) < 2 || Number(m[3]) !== 1;
      })
      .map((u) => `${u.email}: ${u.password_hash?.slice(0, 40)}`);
    const times: number[] = [];
    for (let i = 0; i < pick(c.scale, { test: 3, quick: 10, full: 30 }); i++) {
      const t0 = performance.now();
      await hashPassword(`pw-${i}-${PASSWORD}`);
      times.push(performance.now() - t0);
    }
    void verifyPassword;

    // F2: one account, many passwords from many addresses: lockout after a handful.
    const victim = await addMember(t.ctx, a.orgId, 'recruiter');
    const tries = pick(c.scale, { test: 15, quick: 40, full: 1_000 });
    let lockedAfter = tries;
    for (let i = 1; i <= tries; i++) {
      await call(t.app, {
        method: 'POST',
        url: '/api/v1/auth/sign-in',
        payload: { email: victim.email, password: `wrong password ${i}` },
      });
      const probe = await t.ctx.db
        .selectFrom('users')
        .select('locked_until')
        .where('id', '=', victim.userId)
        .executeTakeFirstOrThrow();
      if ((probe.locked_until ?? 0) > t.clock.now()) {
        lockedAfter = i;
        break;
      }
    }
    const right = await call(t.app, {
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email: victim.email, password: PASSWORD },
    });
    const dos: string[] = [];
    if (right.statusCode === 200) dos.push('the right password worked during the lockout');
    const reset = await call(t.app, {
      method: 'POST',
      url: '/api/v1/auth/password-reset/request',
      payload: { email: victim.email },
    });
    if (reset.statusCode >= 300) dos.push(`the reset path is closed during a lockout: ${reset.statusCode}`);
    // Many accounts, one password, one address: the per-address limit.
    const ip = nextIp();
    let perIp = 0;
    for (let i = 0; i < pick(c.scale, { test: 20, quick: 60, full: 1_000 }); i++) {
      const res = await call(t.app, {
        method: 'POST',
        url: '/api/v1/auth/sign-in',
        payload: { email: `nobody${i}@example.com`, password: 'Summer2024!!' },
        ip,
      });
      if (res.statusCode !== 429) perIp++;
    }
    // Unknown and known users: the same answer, similar time.
    const differ: string[] = [];
    const timing = { known: [] as number[], unknown: [] as number[] };
    const known = await addMember(t.ctx, a.orgId, 'reviewer');
    for (let i = 0; i < pick(c.scale, { test: 3, quick: 60, full: 200 }); i++) {
      for (const kind of i % 2 ? (['known', 'unknown'] as const) : (['unknown', 'known'] as const)) {
        const t0 = performance.now();
        const res = await call(t.app, {
          method: 'POST',
          url: '/api/v1/auth/sign-in',
          payload: {
            email: kind === 'known' ? known.email : `ghost-${i}@example.com`,
            password: `not it ${i}`,
          },
        });
        timing[kind].push(performance.now() - t0);
        if (res.statusCode !== 401) differ.push(`${kind}: ${res.statusCode}`);
        if (i === 0 && kind === 'unknown') {
          const k = await call(t.app, {
            method: 'POST',
            url: '/api/v1/auth/sign-in',
            payload: { email: known.email, password: 'not it' },
          });
          if (strip(k.body) !== strip(res.body))
            differ.push(`known ${strip(k.body)} vs unknown ${strip(res.body)}`);
        }
      }
      // Don't lock the known account while measuring.
      await t.ctx.db
        .updateTable('users')
        .set({ failed_logins: 0, locked_until: null })
        .where('id', '=', known.userId)
        .execute();
    }
    const pk = percentile(timing.known, 50);
    const pu = percentile(timing.unknown, 50);
    // Paired differences (each known try next to an unknown one) cancel out drift in the machine's load.
    const diffs = timing.known.map((k, i) => k - (timing.unknown[i] ?? k));
    const rel = Math.abs(percentile(diffs, 50)) / Math.max(pk, pu);
    const timingText = `sign-in p50 known ${ms(pk)} vs unknown ${ms(pu)}; median paired difference ${fmt(rel * 100, 1)} % (${timing.known.length} pairs)`;
    return [
      zero(
        'F1',
        'hashes below the OWASP minimum',
        below,
        `of ${users.filter((u) => u.password_hash).length} stored password hashes (argon2id, m ≥ 19 MiB, t ≥ 2, p = 1)`,
      ),
      zero(
        'F1',
        'password policy mistakes',
        policy,
        `over ${cases.length} sign-ups (short, breached, 64+ characters, Unicode, no composition rules) and a rehash on sign-in`,
      ),
      reported(
        'F1',
        'hash time',
        percentile(times, 95),
        `argon2id hash time p95 ${ms(percentile(times, 95))} on this machine (${times.length} hashes)`,
      ),
      atMost(
        'F2',
        'attempts allowed per account per 15 min',
        lockedAfter,
        10,
        `${lockedAfter} wrong passwords lock an account for 15 minutes (from as many addresses as the attacker likes)`,
        { details: dos },
      ),
      zero(
        'F2',
        'lockout DoS',
        dos,
        'the right password is refused while locked, and the reset path stays open',
      ),
      atMost(
        'F2',
        'sign-ins per address per minute',
        perIp,
        10,
        `${perIp} sign-in attempts per address per minute let through (1 password × many accounts)`,
      ),
      zero('F2', 'enumeration by reply', differ, 'between unknown and known accounts (status and body)'),
      c.scale !== 'full'
        ? reported('F2', 'enumeration timing', rel, timingText)
        : atMost('F2', 'enumeration timing delta', rel * 100, 10, timingText, { strict: true, unit: '%' }),
    ];
  } finally {
    await w.close();
  }
}

export async function apiKeyLifecycle(c: CheckContext): Promise<Figure[]> {
  const w = await createWorld(c.dialect);
  const { t, a } = w;
  const n = pick(c.scale, { test: 3, quick: 10, full: 50 });
  try {
    const after: string[] = [];
    const keys: string[] = [];
    let shownAgain = 0;
    for (let i = 0; i < n; i++) {
      const created = await call(t.app, {
        method: 'POST',
        url: '/api/v1/api-keys',
        headers: a.agents.owner.headers,
        payload: { name: `k${i}`, scope: 'write' },
      });
      const body = created.json() as { key: string; apiKey: { id: string } };
      keys.push(body.key);
      const list = await call(t.app, {
        method: 'GET',
        url: '/api/v1/api-keys',
        headers: a.agents.owner.headers,
      });
      if (list.body.includes(body.key)) shownAgain++;
      const used = await call(t.app, {
        method: 'GET',
        url: '/api/v1/assessments',
        headers: bearer(body.key),
      });
      if (used.statusCode !== 200) after.push(`a fresh key was refused: ${used.statusCode}`);
      await call(t.app, {
        method: 'DELETE',
        url: `/api/v1/api-keys/${body.apiKey.id}`,
        headers: a.agents.owner.headers,
      });
      for (const [method, url] of [
        ['GET', '/api/v1/assessments'],
        ['POST', '/api/v1/assessments'],
        ['GET', `/api/v1/assessments/${a.assessmentId}`],
      ] as const) {
        const res = await call(t.app, {
          method,
          url,
          headers: bearer(body.key),
          payload: method === 'POST' ? { name: 'After revoke' } : undefined,
        });
        if (res.statusCode < 400)
          after.push(`${method} ${url} accepted after revocation (${res.statusCode})`);
      }
    }
    // Keys in the address are refused, even valid ones.
    const inUrl: string[] = [];
    for (const url of [
      `/api/v1/assessments?api_key=${a.keys.read}`,
      `/api/v1/assessments?access_token=${a.keys.read}`,
      `/api/v1/assessments/${a.keys.read}`,
    ]) {
      const res = await call(t.app, { method: 'GET', url });
      if (res.statusCode < 300) inUrl.push(`${url.replace(a.keys.read, '<key>')} → ${res.statusCode}`);
    }
    // A removed member's sessions end at once.
    const member = await addMember(t.ctx, a.orgId, 'recruiter');
    const agent = await signInAgent(t.app, member.email, PASSWORD);
    await call(t.app, {
      method: 'DELETE',
      url: `/api/v1/team/members/${member.userId}`,
      headers: a.agents.owner.headers,
    });
    const stale = await call(t.app, { method: 'GET', url: '/api/v1/assessments', headers: agent.headers });
    if (stale.statusCode < 400) after.push(`a removed member's session still works (${stale.statusCode})`);
    const rows = await dumpDatabase(t.ctx);
    const atRest = findNeedles(
      [...keys, ...Object.values(a.keys)],
      rows.map((r) => ({ where: `table ${r.table}`, text: r.text })),
    );
    const logged = findNeedles(
      [...keys, ...Object.values(a.keys)],
      t.logs.map((l, i) => ({ where: `log line ${i + 1}`, text: l })),
    );
    return [
      zero(
        'F3',
        'requests accepted after revocation',
        after,
        `of ${fmt(n * 3 + 1)} requests with ${n} revoked keys and a removed member's session`,
      ),
      zero(
        'F3',
        'plaintext keys at rest or in logs',
        [...atRest, ...logged, ...(shownAgain ? [`${shownAgain} keys shown again in the list`] : [])],
        `for ${n + 3} keys (raw dump of ${fmt(rows.length)} rows, ${fmt(t.logs.length)} log lines)`,
      ),
      zero(
        'F3',
        'keys accepted in the address',
        inUrl,
        'of 3 requests carrying a valid key in the query string or path',
      ),
    ];
  } finally {
    await w.close();
  }
}
