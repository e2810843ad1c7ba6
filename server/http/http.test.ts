import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { routesOf } from '../app.js';
import { createTestApp, dialects, type TestApp } from '../test/harness.js';
import { generateOpenApi } from './openapi-document.js';

describe.each(dialects)('HTTP skeleton (%s)', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(() => t.close());

  it('answers /healthz and /readyz', async () => {
    expect((await t.app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await t.app.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready' });
  });

  it('gives every reply a request id, and errors the documented shape', async () => {
    const res = await t.app.inject('/api/v1/no-such-thing');
    expect(res.statusCode).toBe(404);
    const body = res.json();
    expect(body).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect(body.requestId).toBe(res.headers['x-request-id']);
  });

  it('reports invalid input as 400 with field details', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email: 'not-an-email', password: '' },
    });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error.code).toBe('VALIDATION_FAILED');
    expect(Object.keys(body.error.details.fields)).toEqual(
      expect.arrayContaining(['body.email', 'body.password']),
    );
  });

  it('rejects malformed JSON and form posts without leaking internals', async () => {
    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      headers: { 'content-type': 'application/json' },
      payload: '{"email":',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).not.toMatch(/at .*\.(js|ts):\d+/);
    const form = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      headers: { 'content-type': 'text/plain' },
      payload: 'x',
    });
    expect(form.statusCode).toBe(415);
  });

  it('sets strict security headers', async () => {
    const res = await t.app.inject('/healthz');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
  });

  it('serves a valid OpenAPI 3 document and the docs UI', async () => {
    const doc = (await t.app.inject('/openapi.json')).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.paths['/healthz']).toBeDefined();
    for (const [p, ops] of Object.entries(
      doc.paths as Record<string, Record<string, { operationId?: string }>>,
    )) {
      for (const [method, op] of Object.entries(ops)) expect(op.operationId, `${method} ${p}`).toBeTruthy();
    }
    const docs = await t.app.inject('/docs/');
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('swagger');
  });

  it('answers 503 on /readyz when the database is gone', async () => {
    const t2 = await createTestApp(dialect);
    await t2.ctx.db.destroy();
    const res = await t2.app.inject('/readyz');
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBeDefined();
    await t2.app.close();
  });

  it('hides internals of an unexpected error behind the request id', async () => {
    const t3 = await createTestApp(dialect, {
      beforeReady: (app) =>
        app.get('/boom', { config: { access: { kind: 'public' } } }, async () => {
          throw new Error('SELECT secret FROM users at /srv/assay/server/x.ts:12');
        }),
    });
    const res = await t3.app.inject('/boom');
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({
      error: { code: 'INTERNAL', message: 'Something went wrong on our side' },
      requestId: res.headers['x-request-id'],
    });
    expect(t3.logs.join('')).toContain('SELECT secret'); // the operator still sees the cause
    await t3.close();
  });
});

describe('route declarations', () => {
  it('every registered route declares who may call it', async () => {
    const t = await createTestApp('sqlite');
    const routes = routesOf(t.app).filter((r) => r.method !== 'HEAD');
    expect(routes.length).toBeGreaterThan(10);
    expect(routes.filter((r) => !r.access).map((r) => `${r.method} ${r.url}`)).toEqual([]);
    await t.close();
  });

  it('refuses a route that declares nothing', async () => {
    const t = await createTestApp('sqlite', {
      beforeReady: (app) => app.get('/undeclared', async () => ({ ok: true })),
    });
    const res = await t.app.inject('/undeclared');
    expect(res.statusCode).toBe(403);
    await t.close();
  });
});

describe('openapi.json', () => {
  it('is committed and matches the routes (run `npm run openapi` after changing a route)', async () => {
    const committed = JSON.parse(fs.readFileSync('openapi.json', 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(await generateOpenApi())));
  });

  it('documents errors with the shared error schema', () => {
    const committed = JSON.parse(fs.readFileSync('openapi.json', 'utf8'));
    const op = committed.paths['/api/v1/team/members'].get;
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '401', '403']));
    z.object({ openapi: z.string(), info: z.object({ title: z.string() }) }).parse(committed);
  });
});

describe('the web app', () => {
  it('serves built files, cached when hashed, and index.html for client-side routes', async () => {
    const os = await import('node:os');
    const path = await import('node:path');
    const webDir = fs.mkdtempSync(path.join(os.tmpdir(), 'assay-web-'));
    fs.mkdirSync(path.join(webDir, 'assets'));
    fs.writeFileSync(
      path.join(webDir, 'index.html'),
      '<!doctype html><title>Assay</title><div id="root"></div>',
    );
    fs.writeFileSync(path.join(webDir, 'assets', 'app-abc123.js'), 'console.log(1)');
    const t = await createTestApp('sqlite', { webDir });
    const asset = await t.app.inject('/assets/app-abc123.js');
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    const page = await t.app.inject({ url: '/team', headers: { accept: 'text/html' } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<title>Assay</title>');
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    const api = await t.app.inject({ url: '/api/v1/nothing', headers: { accept: 'text/html' } });
    expect(api.statusCode).toBe(404);
    expect(api.json().error.code).toBe('NOT_FOUND');
    const root = await t.app.inject({ url: '/', headers: { accept: 'text/html' } });
    expect(root.statusCode).toBe(200);
    expect(root.body).toContain('<title>Assay</title>');
    const missingAsset = await t.app.inject('/assets/missing.js');
    expect(missingAsset.statusCode).toBe(404);
    await t.close();
  });
});
