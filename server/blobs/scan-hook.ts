// Where a virus scanner plugs in. Every candidate upload is offered to the ScanHook after Assay's own
// checks (extension, magic bytes, zip contents) and before it is recorded. No hook is configured by
// default. With one, the upload fails closed: a scanner that is down, slow or answers nonsense gets
// the file refused with 503 (nothing kept), never accepted unscanned.
//
// The built-in hook runs a command with the file on its standard input: exit 0 means clean, exit 1
// means infected, anything else (or no answer within the timeout) is an error. ClamAV's daemon
// client fits as is: ASSAY_SCAN_COMMAND="clamdscan --no-summary -".
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export type ScanVerdict = { clean: true } | { clean: false; reason: string };

export type ScannedFile = { name: string; size: number; sha256: string; contentType: string };

/** Resolves with a verdict, or rejects when the scanner could not decide (the upload is refused). */
export type ScanHook = (file: ScannedFile, open: () => Promise<Readable>) => Promise<ScanVerdict>;

export class ScannerUnavailableError extends Error {
  override name = 'ScannerUnavailableError';
}

/** Runs `scan` with a deadline; a timeout or a throw is a ScannerUnavailableError. */
export async function scanWithin(
  hook: ScanHook,
  file: ScannedFile,
  open: () => Promise<Readable>,
  timeoutMs: number,
): Promise<ScanVerdict> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const verdict = await Promise.race([
      hook(file, open),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new ScannerUnavailableError('the scanner timed out')), timeoutMs);
      }),
    ]);
    if (!verdict || typeof verdict !== 'object' || typeof verdict.clean !== 'boolean')
      throw new ScannerUnavailableError('the scanner gave no verdict');
    return verdict;
  } catch (err) {
    if (err instanceof ScannerUnavailableError) throw err;
    throw new ScannerUnavailableError(err instanceof Error ? err.message : String(err));
  } finally {
    clearTimeout(timer);
  }
}

/** A hook that pipes the file to a command: exit 0 clean, 1 infected, anything else an error. */
export function commandScanHook(command: string): ScanHook {
  const [bin, ...args] = command.split(/\s+/).filter(Boolean);
  if (!bin) throw new Error('ASSAY_SCAN_COMMAND is empty');
  return async (_file, open) => {
    const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => {
      output = (output + c.toString('utf8')).slice(-500);
    });
    child.stderr.on('data', () => {});
    const exited = new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code) => resolve(code));
    });
    // A scanner that stops reading early (it found something) closes stdin: that is not an error.
    await pipeline(await open(), child.stdin).catch(() => {});
    const code = await exited;
    if (code === 0) return { clean: true };
    if (code === 1) return { clean: false, reason: output.trim().slice(0, 200) || 'infected' };
    throw new ScannerUnavailableError(`the scanner exited with ${code}`);
  };
}
