// A figure is what a check reports: a measured value, what it was measured over (the denominator),
// the threshold it must hold, and whether it held. "0 leaks" means nothing without "across 212
// requests", so every figure carries both.
export const fmt = (n, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
/** A count that must be zero. */
export function zero(id, name, failures, over) {
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
export function atMost(id, name, value, limit, text, opts = {}) {
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
export function atLeast(id, name, value, floor, text, opts = {}) {
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
export function reported(id, name, value, text, details = []) {
    return { id, name, value, text, threshold: 'report', pass: true, details };
}
/** Percentiles of a list of numbers (nearest rank). */
export function percentile(values, p) {
    if (!values.length)
        return Number.NaN;
    const sorted = [...values].sort((a, b) => a - b);
    const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
    return sorted[rank];
}
export const ms = (n) => `${fmt(n, n < 10 ? 1 : 0)} ms`;
//# sourceMappingURL=figures.js.map