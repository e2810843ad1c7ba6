// Serves the built web app from the same origin as the API, with client-side routing: any GET for
// a page that isn't a file or an API path gets index.html.
import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { errorBody } from './error-handler.js';

export async function registerWebApp(app: FastifyInstance, webDir: string | undefined): Promise<void> {
  const hasWeb = !!webDir && fs.existsSync(path.join(webDir, 'index.html'));
  if (hasWeb) {
    await app.register(fastifyStatic, {
      root: webDir,
      wildcard: true,
      index: false,
      // Hashed asset names never change content: cache them for a year. index.html is never cached.
      setHeaders(reply, file) {
        reply.header(
          'cache-control',
          file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
        );
      },
    });
  }
  if (hasWeb) {
    app.get('/', { config: { access: { kind: 'public' } }, schema: { hide: true } }, (_req, reply) =>
      reply.header('cache-control', 'no-cache').type('text/html').sendFile('index.html'),
    );
  }
  app.setNotFoundHandler((req, reply) => {
    const isPage =
      req.method === 'GET' &&
      !req.url.startsWith('/api/') &&
      (req.headers.accept ?? '').includes('text/html');
    if (isPage && hasWeb) {
      return reply.header('cache-control', 'no-cache').type('text/html').sendFile('index.html');
    }
    return reply
      .status(404)
      .send(errorBody('NOT_FOUND', `No route for ${req.method} ${req.url.split('?')[0]}`, String(req.id)));
  });
}
