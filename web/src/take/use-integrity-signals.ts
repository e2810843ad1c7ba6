// Reports the integrity signals the assessment enabled, and only those. They are signals for a
// reviewer to weigh, never verdicts: nothing on the candidate's screen changes when one is sent.
import { useEffect } from 'react';
import { type ClientSignal, sendIntegritySignal } from '../api/take';

// A tab switch fires blur and visibilitychange together, and a paste can fire twice: one report
// per kind within this window is enough.
const QUIET_MS = 2000;

export function useIntegritySignals(enabled: readonly ClientSignal[], active: boolean): void {
  const key = [...enabled].sort().join(',');
  useEffect(() => {
    if (!active) return;
    const on = new Set(key.split(',').filter(Boolean) as ClientSignal[]);
    if (on.size === 0) return;
    const lastSent = new Map<ClientSignal, number>();
    const report = (type: ClientSignal) => {
      const now = Date.now();
      if (now - (lastSent.get(type) ?? 0) < QUIET_MS) return;
      lastSent.set(type, now);
      sendIntegritySignal(type);
    };

    const cleanups: Array<() => void> = [];
    const listen = (target: EventTarget, event: string, handler: () => void) => {
      target.addEventListener(event, handler);
      cleanups.push(() => target.removeEventListener(event, handler));
    };

    if (on.has('tab-hidden') || on.has('tab-visible')) {
      listen(document, 'visibilitychange', () => {
        const type = document.visibilityState === 'hidden' ? 'tab-hidden' : 'tab-visible';
        if (on.has(type)) report(type);
      });
    }
    if (on.has('window-blur')) {
      listen(window, 'blur', () => {
        // A hidden tab is already reported as such.
        if (document.visibilityState === 'visible') report('window-blur');
      });
    }
    if (on.has('copy')) {
      listen(document, 'copy', () => report('copy'));
      listen(document, 'cut', () => report('copy'));
    }
    if (on.has('paste')) listen(document, 'paste', () => report('paste'));
    if (on.has('fullscreen-exit')) {
      let wasFullscreen = document.fullscreenElement !== null;
      listen(document, 'fullscreenchange', () => {
        const now = document.fullscreenElement !== null;
        if (wasFullscreen && !now) report('fullscreen-exit');
        wasFullscreen = now;
      });
    }
    return () => {
      for (const cleanup of cleanups) cleanup();
    };
  }, [key, active]);
}
