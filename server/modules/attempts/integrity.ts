// Integrity signals: what the candidate's browser reports (tab hidden, copy, paste, …) and what the
// server notices itself (a second session, a new IP address). They are signals, never verdicts: the
// tier only tells a reviewer where to look. Thresholds are documented in docs/integrity.md.
import type { DbOrTrx } from '../../db/database.js';
import { newId } from '../../ids.js';
import type { IntegritySignal } from '../assessments/assessment.model.js';

/** What the candidate app may report. */
export const clientSignalTypes = [
  'tab-hidden',
  'tab-visible',
  'window-blur',
  'copy',
  'paste',
  'fullscreen-exit',
] as const;
export type ClientSignalType = (typeof clientSignalTypes)[number];

/** What the server records on its own. */
export const serverSignalTypes = ['ip-change', 'second-session'] as const;
export type IntegrityEventType = ClientSignalType | (typeof serverSignalTypes)[number];

/** The assessment setting that switches each event type on. */
export const signalOf: Record<IntegrityEventType, IntegritySignal> = {
  'tab-hidden': 'tab-hidden',
  'tab-visible': 'tab-hidden',
  'window-blur': 'window-blur',
  copy: 'copy-paste',
  paste: 'copy-paste',
  'fullscreen-exit': 'fullscreen-exit',
  'ip-change': 'ip-change',
  'second-session': 'second-session',
};

/** The client event types an assessment's settings enable. */
export function enabledClientSignals(enabled: readonly IntegritySignal[]): ClientSignalType[] {
  const on = new Set(enabled);
  return clientSignalTypes.filter((t) => on.has(signalOf[t]));
}

export type IntegrityTier = 'none' | 'some' | 'major';

/**
 * From this many events of one type, the tier is `major`. Any counted event of an enabled signal
 * makes it at least `some`. `tab-visible` only closes a `tab-hidden` interval and is never counted.
 */
export const MAJOR_THRESHOLDS: Readonly<Partial<Record<IntegrityEventType, number>>> = {
  'tab-hidden': 10,
  'window-blur': 20,
  copy: 10,
  paste: 5,
  'fullscreen-exit': 5,
  'ip-change': 3,
  'second-session': 2,
};

export function tierFor(
  counts: Readonly<Record<string, number>>,
  enabled: readonly IntegritySignal[],
): IntegrityTier {
  const on = new Set(enabled);
  let tier: IntegrityTier = 'none';
  for (const [type, n] of Object.entries(counts)) {
    const t = type as IntegrityEventType;
    const threshold = MAJOR_THRESHOLDS[t];
    if (!threshold || !n || !on.has(signalOf[t])) continue;
    if (n >= threshold) return 'major';
    tier = 'some';
  }
  return tier;
}

export type IntegrityEventInput = {
  orgId: string;
  attemptId: string;
  type: IntegrityEventType;
  ip: string | null;
  userAgent: string | null;
  details?: Record<string, string | number | boolean | null>;
  at: number;
};

export async function insertIntegrityEvent(db: DbOrTrx, e: IntegrityEventInput): Promise<void> {
  await db
    .insertInto('integrity_events')
    .values({
      id: newId(e.at),
      org_id: e.orgId,
      attempt_id: e.attemptId,
      type: e.type,
      ip: e.ip,
      user_agent: e.userAgent,
      details: JSON.stringify(e.details ?? {}),
      created_at: e.at,
    })
    .execute();
}

/** Recounts an attempt's events and stores its tier when it changed. */
export async function refreshIntegrityTier(
  db: DbOrTrx,
  orgId: string,
  attemptId: string,
  enabled: readonly IntegritySignal[],
): Promise<IntegrityTier> {
  const rows = await db
    .selectFrom('integrity_events')
    .select(['type', (eb) => eb.fn.countAll<number>().as('n')])
    .where('attempt_id', '=', attemptId)
    .groupBy('type')
    .execute();
  const tier = tierFor(Object.fromEntries(rows.map((r) => [r.type, Number(r.n)])), enabled);
  await db
    .updateTable('attempts')
    .set({ integrity_tier: tier })
    .where('org_id', '=', orgId)
    .where('id', '=', attemptId)
    .where('integrity_tier', '!=', tier)
    .execute();
  return tier;
}
