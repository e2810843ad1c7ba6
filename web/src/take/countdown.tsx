// The section clock. The server owns the deadline; the page only counts down from the remainingMs of
// the latest server reply, measured on the monotonic clock so changing the computer's time does nothing.
import { Badge, VisuallyHidden } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';

/** Milliseconds left, read afresh at every render and re-rendered a few times a second. */
export function useRemaining(deadline: number | null): number | null {
  const [, setTick] = useState(0);
  useEffect(() => {
    if (deadline === null) return;
    const id = setInterval(() => setTick((t) => t + 1), 250);
    return () => clearInterval(id);
  }, [deadline]);
  return deadline === null ? null : Math.max(0, deadline - performance.now());
}

export function formatClock(ms: number): string {
  const total = Math.ceil(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}

function spoken(ms: number): string {
  const minutes = Math.ceil(ms / 60_000);
  if (minutes <= 1) return 'less than a minute';
  return `${minutes} minutes`;
}

const WARNINGS = [
  { at: 60_000, text: '1 minute left in this section. Your answers are saved as you go.' },
  { at: 5 * 60_000, text: '5 minutes left in this section.' },
];

/**
 * The visible clock, plus a polite live region that speaks only at 5 minutes and 1 minute, so a
 * screen reader isn't interrupted every second. The clock itself is a `timer`, which is never read
 * out on its own.
 */
export function Countdown({ remaining, sectionKey }: { remaining: number | null; sectionKey: string }) {
  const [announcement, setAnnouncement] = useState('');
  const announced = useRef<{ section: string; at: number | null }>({ section: sectionKey, at: null });

  useEffect(() => {
    if (announced.current.section !== sectionKey) {
      announced.current = { section: sectionKey, at: null };
      setAnnouncement('');
    }
    if (remaining === null || remaining <= 0) return;
    const warning = WARNINGS.find((w) => remaining <= w.at);
    if (warning && announced.current.at !== warning.at) {
      // Crossing 5 minutes and, on a reload, landing below 1 minute both say the nearest warning once.
      announced.current.at = warning.at;
      setAnnouncement(warning.text);
    }
  }, [remaining, sectionKey]);

  const low = remaining !== null && remaining <= 5 * 60_000;
  const critical = remaining !== null && remaining <= 60_000;
  return (
    <>
      <Badge
        role="timer"
        size="xl"
        radius="sm"
        variant={critical ? 'filled' : 'light'}
        color={critical ? 'red' : low ? 'orange' : 'assay'}
        styles={{
          root: low && !critical ? { color: 'var(--mantine-color-dark-7)' } : undefined,
          label: { fontVariantNumeric: 'tabular-nums', textTransform: 'none' },
        }}
        aria-label={
          remaining === null ? 'Time left: unknown' : `Time left in this section: ${spoken(remaining)}`
        }
      >
        {remaining === null ? '–:––' : formatClock(remaining)} left
      </Badge>
      <VisuallyHidden aria-live="polite" aria-atomic="true">
        {announcement}
      </VisuallyHidden>
    </>
  );
}
