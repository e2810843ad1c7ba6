const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const date = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

function parse(iso: string): Date | null {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** A date and time in the viewer's time zone. */
export function formatDateTime(iso: string | null | undefined): string {
  const d = iso ? parse(iso) : null;
  return d ? dateTime.format(d) : '—';
}

export function formatDate(iso: string | null | undefined): string {
  const d = iso ? parse(iso) : null;
  return d ? date.format(d) : '—';
}

/** An unambiguous UTC timestamp, for records compared across time zones (the audit log). */
export function formatUtc(iso: string): string {
  const d = parse(iso);
  return d ? `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC` : iso;
}
