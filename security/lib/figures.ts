// A figure is what a check reports: a measured value, what it was measured over (the denominator),
// the threshold it must hold, and whether it held. "0 leaks" means nothing without "across 212
// requests", so every figure carries both.

export type Figure = {
  /** The plan's check id: A1, B3, … */
  id: string;
  /** What was measured, in a few words. */
  name: string;
  value: number;
  /** The figure as a sentence with its denominator: "0 lost of 12,345 acknowledged saves". */
  text: string;
  /** The threshold as written in the plan ("= 0", "< 50 MB", "report"). */
  threshold: string;
  pass: boolean;
  /** What went wrong, for a failing figure (or notes for a reported one). */
  details: string[];
};

export const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** A count that must be zero. */
export function zero(id: string, name: string, failures: string[], over: string): Figure {
  return {
    id,
    name,
    value: failures.length,
    text: `${fmt(failures.length)} ${name} ${over}`,
    threshold: '= 0',
    pass: failures.length === 0,
    details: failures.slice(0, 50),
  };
}

/** A value that must stay at or below (or strictly below) a limit. */
export function atMost(
  id: string,
  name: string,
  value: number,
  limit: number,
  text: string,
  opts: { strict?: boolean; unit?: string; details?: string[] } = {},
): Figure {
  const pass = opts.strict ? value < limit : value <= limit;
  return {
    id,
    name,
    value,
    text,
    threshold: `${opts.strict ? '<' : '≤'} ${fmt(limit, limit % 1 ? 2 : 0)}${opts.unit ? ` ${opts.unit}` : ''}`,
    pass,
    details: opts.details ?? [],
  };
}

/** A value that must reach a floor. */
export function atLeast(
  id: string,
  name: string,
  value: number,
  floor: number,
  text: string,
  opts: { unit?: string; details?: string[] } = {},
): Figure {
  return {
    id,
    name,
    value,
    text,
    threshold: `≥ ${fmt(floor, floor % 1 ? 2 : 0)}${opts.unit ? ` ${opts.unit}` : ''}`,
    pass: value >= floor,
    details: opts.details ?? [],
  };
}

/** A measurement the plan asks to report, with no threshold. */
export function reported(
  id: string,
  name: string,
  value: number,
  text: string,
  details: string[] = [],
): Figure {
  return { id, name, value, text, threshold: 'report', pass: true, details };
}

/** Percentiles of a list of numbers (nearest rank). */
export function percentile(values: number[], p: number): number {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

export const ms = (n: number) => `${fmt(n, n < 10 ? 1 : 0)} ms`;
