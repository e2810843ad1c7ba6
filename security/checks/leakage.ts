// Confidentiality of answers and results.
// G1: the answer-key crawl: every candidate-facing response in every phase of an attempt (JSON, the
//     pages, the built JS bundle, and source maps if any are served) is searched for answer-key fields
//     and values, rubrics, reviewer notes and other candidates' data; every candidate route documents
//     a response schema (an allow-list).
// G2: results stay hidden until the feedback policy shares them; error bodies never carry a stack
//     trace, SQL, a file path or a driver error, for a set of malformed requests to every route.
// G3: a candidate is served only the questions of their own current section.
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { routesOf } from '../../server/app.js';
import {
  asCandidate,
  createTestAssessment,
  createTestInvitation,
  filePart,
  quizSection,
  startBrowser,
} from '../../server/modules/attempts/attempts.factories.js';
import { atLeast, type Figure, fmt, zero } from '../lib/figures.js';
import { operationFor, specOf } from '../lib/openapi.js';
import { bearer, type CheckContext, call, createWorld } from '../lib/world.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const FORBIDDEN_FIELDS = [
  '"correct"',
  '"explanation"',
  '"rubric"',
  '"reviewerNotes"',
  '"isCorrect"',
  '"answerKey"',
  '"mark"',
  '"byItem"',
  '"levels"',
];

/** The explanations of the built-in bank: text only a key could carry. */
function builtInExplanations(): string[] {
  const out: string[] = [];
  const dir = path.join(ROOT, 'content', 'questions');
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile() || !e.name.endsWith('.yaml')) continue;
    const doc = parseYaml(fs.readFileSync(path.join(e.parentPath, e.name), 'utf8')) as {
      questions?: Array<{ explanation?: string }>;
    };
    for (const q of doc?.questions ?? []) {
      const line = q.explanation?.split('\n')[0]?.trim();
      if (line && line.length > 30) out.push(line.slice(0, 60));
    }
  }
  return out;
}

export async function answerKeyCrawl(c: CheckContext): Promise<Figure[]> {
  const webDir = path.join(ROOT, 'dist', 'web');
  const hasWeb = fs.existsSync(path.join(webDir, 'index.html'));
  const w = await createWorld(c.dialect, hasWeb ? { webDir } : {});
  const { t, a, b } = w;
  try {
    const leaks: string[] = [];
    let responses = 0;
    const plan = await t.ctx.db
      .selectFrom('attempts')
      .select('plan')
      .where('id', '=', a.attemptId)
      .executeTakeFirstOrThrow();
    const versionIds = (
      JSON.parse(plan.plan) as { sections: Array<{ items?: Array<{ questionVersionId: string }> }> }
    ).sections.flatMap((s) => s.items?.map((i) => i.questionVersionId) ?? []);
    const versions = await t.ctx.db
      .selectFrom('question_versions as v')
      .innerJoin('questions as q', 'q.id', 'v.question_id')
      .select(['v.explanation'])
      .where('q.org_id', 'in', [a.orgId, b.orgId])
      .execute();
    const secrets = [
      ...versions.map((v) => v.explanation),
      'SECRET-RUBRIC',
      'SECRET-REVIEWER-NOTES',
      b.invitation.email,
      b.orgId,
      b.attemptId,
    ];
    void versionIds;
    const inspect = (label: string, body: string, fields = FORBIDDEN_FIELDS) => {
      responses++;
      for (const f of fields) if (body.includes(f)) leaks.push(`${label}: field ${f}`);
      for (const x of secrets) if (x && body.includes(x)) leaks.push(`${label}: ${x.slice(0, 40)}`);
    };
    // A fresh candidate of A on an assessment with a quiz and an upload section.
    const inv = await createTestInvitation(t.ctx, a, a.assessmentId);
    const browser = await startBrowser(t, inv.token);
    const cand = asCandidate(t, browser);
    const candidateRoutes = routesOf(t.app).filter(
      (r) => r.access?.kind === 'candidate' && r.method !== 'HEAD',
    );
    let seq = 1;
    let uploadId = 'none';
    const state = async () =>
      (await cand.state()) as { current?: { key: string; items?: Array<{ key: string }> } | null };
    const hit = async (method: string, url: string) => {
      const s = await state();
      const filled = url
        .replace(':itemKey', s.current?.items?.[0]?.key ?? 'x')
        .replace(':sectionKey', url.includes('/uploads/') ? 'work' : (s.current?.key ?? 'quiz'))
        .replace(':uploadId', uploadId);
      if (method === 'POST' && url.startsWith('/api/v1/take/uploads/')) {
        const body = filePart('answer.sql', 'select 1;\n');
        const res = await call(t.app, {
          method: 'POST',
          url: filled,
          headers: { ...browser.headers, 'content-type': body.contentType },
          payload: body.payload,
          ip: browser.ip,
        });
        if (res.statusCode === 201) uploadId = (res.json() as { id: string }).id;
        return res;
      }
      const payloads: Record<string, unknown> = {
        'PUT /api/v1/take/answers/:itemKey': { choice: ['a'], seq: seq++ },
        'PUT /api/v1/take/answers': {
          answers: [{ itemKey: s.current?.items?.[1]?.key ?? 'x', choice: ['a'], seq: seq++ }],
        },
        'POST /api/v1/take/integrity': { type: 'copy' },
      };
      return call(t.app, {
        method: method as 'GET',
        url: filled,
        headers: browser.headers,
        ip: browser.ip,
        payload: payloads[`${method} ${url}`] as object,
      });
    };
    const phaseChanging = (url: string) =>
      url.endsWith('/submit') || url.endsWith('/start') || url.endsWith('/claim');
    const crawl = async (phase: string, beforeGrading: boolean) => {
      for (const r of candidateRoutes.filter((x) => !phaseChanging(x.url) && x.method !== 'DELETE')) {
        const res = await hit(r.method, r.url);
        inspect(
          `${phase} ${r.method} ${r.url} (${res.statusCode})`,
          res.body,
          beforeGrading ? [...FORBIDDEN_FIELDS, '"score"', '"bySubtopic"'] : FORBIDDEN_FIELDS,
        );
        if (res.statusCode >= 500) leaks.push(`${phase} ${r.method} ${r.url}: ${res.statusCode}`);
      }
    };
    await crawl('quiz section', true);
    inspect('submit quiz section', (await hit('POST', '/api/v1/take/sections/:sectionKey/submit')).body);
    await crawl('upload section', true);
    inspect('remove upload', (await hit('DELETE', '/api/v1/take/uploads/:uploadId')).body);
    inspect('claim', (await hit('POST', '/api/v1/take/session/claim')).body);
    inspect('submit', (await hit('POST', '/api/v1/take/submit')).body, [...FORBIDDEN_FIELDS, '"bySubtopic"']);
    await crawl('after submit, before grading', true);
    await t.runJobs();
    await crawl('after grading', false);
    // Public candidate-facing routes: the landing and the public link.
    inspect(
      'landing',
      (await call(t.app, { method: 'POST', url: '/api/v1/take/landing', payload: { token: inv.token } }))
        .body,
    );

    // The web app a candidate loads: pages, every script and stylesheet, and any source map.
    const bundle: string[] = [];
    let assets = 0;
    let maps = 0;
    if (hasWeb) {
      const explanations = builtInExplanations();
      for (const page of ['/', '/take', `/i/${inv.token}`]) {
        const html = await call(t.app, { method: 'GET', url: page, headers: { accept: 'text/html' } });
        inspect(`page ${page.replace(inv.token, '<token>')}`, html.body);
        for (const src of html.body.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g))
          bundle.push(src[1] as string);
      }
      const files = fs.readdirSync(path.join(webDir, 'assets')).filter((f) => /\.(js|css|map)$/.test(f));
      for (const f of new Set([...files.map((x) => `/assets/${x}`), ...bundle])) {
        const res = await call(t.app, { method: 'GET', url: f });
        assets++;
        if (res.statusCode !== 200) continue;
        for (const e of explanations)
          if (res.body.includes(e))
            leaks.push(`${f}: contains the built-in explanation "${e.slice(0, 40)}…"`);
        for (const x of secrets)
          if (x && x.length > 12 && res.body.includes(x)) leaks.push(`${f}: ${x.slice(0, 40)}`);
        if (/[{,]\s*"?correct"?\s*:\s*\[\s*"[a-z]"/.test(res.body)) leaks.push(`${f}: an answer key literal`);
        const mapRef = /sourceMappingURL=([^\s*]+)/.exec(res.body)?.[1];
        for (const m of [mapRef ? path.posix.join(path.posix.dirname(f), mapRef) : undefined, `${f}.map`]) {
          if (!m || m.startsWith('data:')) continue;
          const map = await call(t.app, { method: 'GET', url: m });
          if (map.statusCode === 200 && map.body.startsWith('{')) {
            maps++;
            for (const e of explanations)
              if (map.body.includes(e))
                leaks.push(`${m}: a served source map contains a question's explanation`);
          }
        }
      }
    }
    // Every candidate route documents its replies: what isn't in the schema can't leave.
    const doc = specOf(t.app);
    const undocumented = candidateRoutes
      .filter((r) => {
        const op = operationFor(doc, r.method, r.url);
        return !Object.keys(op?.responses ?? {}).some((s) => s.startsWith('2'));
      })
      .map((r) => `${r.method} ${r.url} has no documented 2xx response`);
    return [
      zero(
        'G1',
        'answer-key leaks',
        leaks,
        `across ${fmt(responses)} candidate responses in every phase, ${hasWeb ? `${fmt(assets)} web assets and ${maps} served source maps` : 'no built web app (dist/web missing: the bundle was not checked)'}`,
      ),
      atLeast(
        'G1',
        'candidate routes with a response schema',
        ((candidateRoutes.length - undocumented.length) / candidateRoutes.length) * 100,
        100,
        `${candidateRoutes.length - undocumented.length}/${candidateRoutes.length} candidate routes document their replies`,
        { unit: '%', details: undocumented },
      ),
    ];
  } finally {
    await w.close();
  }
}

const INTERNALS = [
  /\n\s+at [\w.<>]+ \(/,
  /node_modules/,
  /\/work\/|\/home\/|\/usr\/|[A-Z]:\\\\/,
  /\.(ts|js):\d+/,
  /SQLITE_\w+|syntax error at|relation "|violates|duplicate key|constraint failed/i,
  /\b(select|insert|update|delete)\s+[\w*"]+\s+(from|into|set)\b/i,
  /TypeError|ReferenceError|RangeError|ZodError|Cannot read propert/,
];

export async function errorBodies(c: CheckContext): Promise<Figure[]> {
  const w = await createWorld(c.dialect);
  const { t, a } = w;
  try {
    const hits: string[] = [];
    const fives: string[] = [];
    const shapeless: string[] = [];
    let errors = 0;
    const routes = routesOf(t.app).filter((r) => r.method !== 'HEAD' && r.url.startsWith('/api/'));
    const ids = [
      "'; drop table users; --",
      '../../../../etc/passwd',
      '%00',
      'x'.repeat(5_000),
      '%E0%A4%A',
      '{{7*7}}',
      '1 OR 1=1',
    ];
    const bodies: Array<{ type: string; body: string | Buffer }> = [
      { type: 'application/json', body: '{"a":' },
      {
        type: 'application/json',
        body: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
      },
      { type: 'application/json', body: `${'['.repeat(5_000)}${']'.repeat(5_000)}` },
      { type: 'application/json', body: '{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}' },
      { type: 'application/json', body: '{"seq":1e999,"limit":-1,"choice":[null]}' },
      { type: 'text/plain', body: 'hello' },
      { type: 'application/x-www-form-urlencoded', body: 'a=1&a=2' },
      {
        type: 'application/xml',
        body: '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
      },
      { type: 'multipart/form-data', body: '--x\r\n' },
    ];
    const principals = [a.agents.owner.headers, bearer(a.keys.admin), a.browser.headers, {}];
    for (const r of routes) {
      for (const [k, id] of ids.entries()) {
        const url = r.url.replace(/:(\w+)/g, () => encodeURIComponent(id).replace('%25E0', '%E0'));
        const sends = r.method === 'GET' || r.method === 'DELETE' ? [undefined] : bodies;
        const chosen = r.url.includes(':') ? [...sends.slice(0, 3), ...sends.slice(-1)] : sends;
        for (const send of chosen) {
          const headers = {
            ...(principals[k % principals.length] as Record<string, string>),
            ...(send ? { 'content-type': send.type } : {}),
          };
          const res = await call(t.app, {
            method: r.method as 'POST',
            url: `${url}?limit=abc&limit=2&cursor=%27&q=${'%27'.repeat(3)}`,
            headers,
            payload: send?.body,
          });
          if (res.statusCode < 400) continue;
          errors++;
          if (res.statusCode >= 500)
            fives.push(
              `${r.method} ${r.url} (${id.slice(0, 20)}, ${send?.type ?? 'no body'}) → ${res.statusCode} ${res.body.slice(0, 120)}`,
            );
          for (const re of INTERNALS)
            if (re.test(res.body))
              hits.push(
                `${r.method} ${r.url} (${send?.type ?? 'no body'}) → ${res.statusCode}: matches ${re}: ${res.body.slice(0, 200)}`,
              );
          const ct = String(res.headers['content-type'] ?? '');
          if (ct.includes('json')) {
            const j = res.json() as { error?: { code?: string }; requestId?: string };
            if (!j.error?.code || !j.requestId)
              shapeless.push(`${r.method} ${r.url} → ${res.statusCode} ${res.body.slice(0, 100)}`);
          } else if (!r.url.endsWith('.csv') && !r.url.endsWith('.html') && !r.url.includes('download')) {
            shapeless.push(`${r.method} ${r.url} → ${res.statusCode} as ${ct}`);
          }
        }
      }
    }
    // Results before the feedback policy releases them.
    const early: string[] = [];
    for (const policy of ['none', 'overall'] as const) {
      const assessmentId = await createTestAssessment(t.ctx, a, [quizSection('q', 4, { minutes: 30 })], {
        feedbackPolicy: policy,
      });
      const inv = await createTestInvitation(t.ctx, a, assessmentId);
      const cand = asCandidate(t, await startBrowser(t, inv.token));
      const during = await cand.get('/api/v1/take/result');
      if (/"score"|"bySubtopic"/.test(during.body)) early.push(`${policy}: a score while in progress`);
      await cand.post('/api/v1/take/submit', {});
      const submitted = await cand.get('/api/v1/take/result');
      if (/"score"|"bySubtopic"/.test(submitted.body)) early.push(`${policy}: a score before grading`);
      await t.runJobs();
      const graded = await cand.get('/api/v1/take/result');
      if (policy === 'none' && /"score"|"bySubtopic"/.test(graded.body))
        early.push('none: a score although the policy shares none');
      if (policy === 'overall' && /"bySubtopic"/.test(graded.body))
        early.push('overall: a per-subtopic breakdown although the policy shares only the overall score');
    }
    return [
      zero(
        'G2',
        'error bodies with internals',
        hits,
        `in ${fmt(errors)} error replies to malformed requests on ${routes.length} routes (stack traces, paths, SQL, driver errors)`,
      ),
      zero('G2', '5xx to malformed input', fives, `of ${fmt(errors)} error replies`),
      zero(
        'G2',
        'error bodies without the error shape',
        shapeless,
        `of ${fmt(errors)} error replies ({ error: { code, message }, requestId })`,
      ),
      zero(
        'G2',
        'early result disclosures',
        early,
        'for feedback policies none and overall (in progress, submitted, graded)',
      ),
    ];
  } finally {
    await w.close();
  }
}

export async function questionScraping(c: CheckContext): Promise<Figure[]> {
  const w = await createWorld(c.dialect);
  const { t, a, b } = w;
  try {
    const served: string[] = [];
    // Two quiz sections: while in the first, the second's questions must not be served.
    const assessmentId = await createTestAssessment(t.ctx, a, [
      quizSection('one', 2, { minutes: 30 }),
      quizSection('two', 2, { minutes: 30 }),
    ]);
    const inv = await createTestInvitation(t.ctx, a, assessmentId);
    const cand = asCandidate(t, await startBrowser(t, inv.token));
    const attempt = await t.ctx.db
      .selectFrom('attempts')
      .select('plan')
      .where('invitation_id', '=', inv.invitationId)
      .executeTakeFirstOrThrow();
    const plan = JSON.parse(attempt.plan) as {
      sections: Array<{ items: Array<{ key: string; questionVersionId: string }> }>;
    };
    const stemsOf = async (ids: string[]) =>
      (await t.ctx.db.selectFrom('question_versions').select('stem').where('id', 'in', ids).execute()).map(
        (x) => x.stem,
      );
    const second = await stemsOf(plan.sections[1]?.items.map((i) => i.questionVersionId) ?? []);
    const all = await t.ctx.db
      .selectFrom('question_versions as v')
      .innerJoin('questions as q', 'q.id', 'v.question_id')
      .select(['v.id', 'v.stem'])
      .where('q.org_id', 'in', [a.orgId, b.orgId])
      .execute();
    const assigned = new Set(plan.sections.flatMap((s) => s.items.map((i) => i.questionVersionId)));
    const others = all.filter((q) => !assigned.has(q.id)).map((q) => q.stem);
    let probes = 0;
    const look = async (label: string) => {
      const s = await cand.get('/api/v1/take/attempt');
      probes++;
      for (const stem of others)
        if (s.body.includes(stem)) served.push(`${label}: a question outside the attempt's draw`);
      return s.body;
    };
    const first = await look('section one');
    for (const stem of second)
      if (first.includes(stem)) served.push("section one: the next section's question");
    // Item keys of another attempt, and made-up ones.
    const otherPlan = await t.ctx.db
      .selectFrom('attempts')
      .select('plan')
      .where('id', '=', b.attemptId)
      .executeTakeFirstOrThrow();
    const foreignKeys = (
      JSON.parse(otherPlan.plan) as { sections: Array<{ items?: Array<{ key: string }> }> }
    ).sections.flatMap((s) => s.items?.map((i) => i.key) ?? []);
    for (const key of [...foreignKeys.map((k) => `${k}x`), 'q-999', '../q-1', all[0]?.id ?? 'x']) {
      const res = await cand.answer(key, ['a'], 50 + probes);
      probes++;
      if (res.statusCode < 300) served.push(`autosave to item ${key} outside the draw accepted`);
    }
    await cand.post('/api/v1/take/sections/one/submit', {});
    await look('section two');
    await cand.post('/api/v1/take/submit', {});
    const after = await look('after submit');
    for (const stem of [
      ...second,
      ...(await stemsOf(plan.sections[0]?.items.map((i) => i.questionVersionId) ?? [])),
    ])
      if (after.includes(stem)) served.push('after submit: a question is still served');
    // Bank export needs an admin scope and is audited.
    const exportRoute = routesOf(t.app).find((r) => r.url === '/api/v1/bank/export' && r.method === 'GET');
    const notes: string[] = [];
    if (exportRoute) {
      const asWrite = await call(t.app, {
        method: 'GET',
        url: '/api/v1/bank/export',
        headers: bearer(a.keys.write),
      });
      if (asWrite.statusCode < 300) served.push('a write-scoped key exported the bank');
      const asAdmin = await call(t.app, {
        method: 'GET',
        url: '/api/v1/bank/export',
        headers: bearer(a.keys.admin),
      });
      const audited = await t.ctx.db
        .selectFrom('audit_log')
        .select('id')
        .where('org_id', '=', a.orgId)
        .where('action', '=', 'bank.exported')
        .execute();
      if (asAdmin.statusCode < 300 && audited.length === 0) served.push('a bank export was not audited');
    } else notes.push('no bank export route');
    const perKey = t.ctx.config.apiRateLimit.perKey;
    return [
      zero(
        'G3',
        'out-of-set questions served',
        served,
        `over ${fmt(probes)} candidate probes (the next section, other attempts' items, made-up keys, after submit) and bank export by scope`,
      ),
      {
        id: 'G3',
        name: 'bank pages per key per hour',
        value: perKey * 60,
        text: `${fmt(perKey * 60)} bank pages per API key per hour at most (${perKey}/min per key, ${t.ctx.config.apiRateLimit.perOrg}/min per organization); export needs an admin scope and is audited`,
        threshold: 'report',
        pass: true,
        details: notes,
      },
    ];
  } finally {
    await w.close();
  }
}
