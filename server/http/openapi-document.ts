// Builds the app against a throwaway SQLite database only to read its OpenAPI document.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildApp } from '../app.js';
import { loadConfig } from '../config.js';
import { createContext } from '../context.js';
import { createLogger } from '../logger.js';

export async function generateOpenApi(): Promise<unknown> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'assay-openapi-'));
  const ctx = createContext(loadConfig({ ASSAY_DATA_DIR: dataDir, ASSAY_SECRET_KEY: '0'.repeat(64) }), {
    log: createLogger('silent'),
  });
  try {
    const app = await buildApp(ctx);
    await app.ready();
    const doc = app.swagger();
    await app.close();
    return doc;
  } finally {
    await ctx.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
