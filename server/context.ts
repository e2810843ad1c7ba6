// The Ctx passed everywhere: infrastructure chosen once at start, explicit, no globals.
import path from 'node:path';
import type { BlobStore } from './blobs/blob-store.js';
import { createLocalBlobStore } from './blobs/local-blob-store.js';
import { commandScanHook, type ScanHook } from './blobs/scan-hook.js';
import { type Clock, systemClock } from './clock.js';
import type { Config } from './config.js';
import { createSealer, loadInstanceKey, type Sealer } from './crypto.js';
import { type Db, type Dialect, openDatabase } from './db/database.js';
import { createJobQueue, type JobQueue } from './jobs/queue.js';
import { createLogger, type Logger } from './logger.js';
import { createSmtpTransport, type Transport } from './mail/mailer.js';

export type Ctx = {
  config: Config;
  db: Db;
  dialect: Dialect;
  jobs: JobQueue;
  blobs: BlobStore;
  /** Undefined when no SMTP is configured: mail then waits in the outbox. */
  mailTransport: Transport | undefined;
  /** Offered every candidate upload before it is kept; none by default (server/blobs/scan-hook.ts). */
  scanUpload: ScanHook | undefined;
  clock: Clock;
  log: Logger;
  sealer: Sealer;
  /** The instance key, for HMACs that must not be stored (CSRF tokens). */
  instanceKey: Buffer;
  close(): Promise<void>;
};

export type CtxOverrides = Partial<Pick<Ctx, 'clock' | 'log' | 'mailTransport' | 'blobs' | 'scanUpload'>> & {
  searchPath?: string;
};

export function createContext(config: Config, overrides: CtxOverrides = {}): Ctx {
  const clock = overrides.clock ?? systemClock;
  const handle = openDatabase(config, { searchPath: overrides.searchPath });
  const instanceKey = loadInstanceKey(config.dataDir, config.secretKeyHex);
  return {
    config,
    db: handle.db,
    dialect: handle.dialect,
    jobs: createJobQueue(clock),
    blobs: overrides.blobs ?? createLocalBlobStore(path.join(config.dataDir, 'blobs')),
    mailTransport:
      'mailTransport' in overrides
        ? overrides.mailTransport
        : config.smtpUrl
          ? createSmtpTransport(config.smtpUrl)
          : undefined,
    scanUpload:
      'scanUpload' in overrides
        ? overrides.scanUpload
        : config.scanCommand
          ? commandScanHook(config.scanCommand)
          : undefined,
    clock,
    log: overrides.log ?? createLogger(config.logLevel),
    sealer: createSealer(instanceKey),
    instanceKey,
    close: () => handle.close(),
  };
}
