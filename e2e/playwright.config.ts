// Browser journeys against the built app, in Debian's Chromium (Playwright's own browser download
// isn't available here). Each run starts a fresh server on an empty data directory.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defineConfig } from '@playwright/test';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'assay-e2e-'));
const port = Number(process.env.E2E_PORT ?? 3107);
export const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  reporter: [['list']],
  use: {
    baseURL,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-gpu',
      ],
    },
  },
  webServer: {
    command: 'node dist/server/main.js serve',
    cwd: path.resolve(import.meta.dirname, '..'),
    url: `${baseURL}/readyz`,
    reuseExistingServer: false,
    timeout: 60_000,
    env: {
      ASSAY_DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      ASSAY_SIGNUP: 'open',
      LOG_LEVEL: 'warn',
      E2E_DATA_DIR: dataDir,
    },
  },
});
