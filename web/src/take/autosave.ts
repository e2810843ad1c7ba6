// The candidate's answers on their way to the server. Every change gets the next client sequence number
// and lands in localStorage before anything is sent, so a dropped connection, a reload or a browser
// restart loses nothing; the queue is flushed (debounced, then with exponential backoff on failure)
// until the server has acknowledged each change. The server keeps the highest sequence per item, so a
// retry that arrives late never overwrites a newer answer.
import { ApiError } from '../api/client';
import { type AnswerWrite, CANDIDATE_HEADER, type CurrentQuiz, isTransient, take } from '../api/take';

export type SaveStatus = 'idle' | 'saving' | 'saved' | 'offline' | 'retrying' | 'blocked';

type Pending = Record<string, { choice: string[]; seq: number }>;

const DEBOUNCE_MS = 500;
const MAX_WAIT_MS = 1000;
const MAX_BACKOFF_MS = 30_000;
/** Autosave stops this long before the deadline; what is left travels with the submit. */
export const STOP_BEFORE_DEADLINE_MS = 1000;
/** The server's limit for a sequence number. */
const MAX_SEQ = 2_147_483_647;

// A browser holds one attempt at a time (one candidate cookie), so one counter serves every attempt;
// it only has to keep rising, and it starts above whatever the server already holds.
const SEQ_KEY = 'assay.take.seq';
const PENDING_PREFIX = 'assay.take.pending.';

function readJson<T>(key: string, fallback: T): T {
  try {
    const raw = localStorage.getItem(key);
    return raw ? (JSON.parse(raw) as T) : fallback;
  } catch {
    return fallback;
  }
}

function writeJson(key: string, value: unknown): void {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Storage full or disabled (private mode): the in-memory queue still works for this page.
  }
}

function removeKey(key: string): void {
  try {
    localStorage.removeItem(key);
  } catch {
    // ignore
  }
}

/** cyrb53: a fast 53-bit string hash, plenty to tell two sections apart. */
function hash(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

/**
 * Names a quiz section of one attempt: the drawn questions and this candidate's option order, so
 * unsaved answers are never offered to another attempt or another section.
 */
export function sectionScope(organization: string, assessment: string, section: CurrentQuiz): string {
  return hash(
    [
      organization,
      assessment,
      section.key,
      ...section.items.map((i) => `${i.key}:${i.options.map((o) => o.id).join(',')}:${i.stem.length}`),
    ].join('|'),
  );
}

export type QueueEvents = {
  /** A 409 the queue can't resolve by itself: SESSION_MOVED, ATTEMPT_CLOSED, or a closed section. */
  onConflict: (err: ApiError) => void;
  /** The server kept a newer answer than this window's (another window changed it). */
  onStale: () => void;
};

export class AnswerQueue {
  private seq: number;
  private pending: Pending;
  private readonly pendingKey: string;
  private status: SaveStatus = 'idle';
  private listeners = new Set<() => void>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private firstUnsavedAt: number | null = null;
  private inFlight: Promise<void> | null = null;
  private failures = 0;
  private held = false;
  private blocked = false;
  private deadline: number | null = null;
  private disposed = false;

  constructor(
    scope: string,
    serverLastSeq: number,
    private readonly events: QueueEvents,
  ) {
    this.pendingKey = `${PENDING_PREFIX}${scope}`;
    this.seq = Math.max(readJson<number>(SEQ_KEY, 0), serverLastSeq);
    this.pending = readJson<Pending>(this.pendingKey, {});
    this.forgetOtherSections();
    this.rebase(serverLastSeq);
    window.addEventListener('online', this.handleOnline);
    window.addEventListener('offline', this.handleOffline);
    if (this.hasPending()) {
      this.setStatus(navigator.onLine ? 'saving' : 'offline');
      this.schedule(0);
    }
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    window.removeEventListener('online', this.handleOnline);
    window.removeEventListener('offline', this.handleOffline);
  }

  // --- for React (useSyncExternalStore) ---
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
  getStatus = (): SaveStatus => this.status;

  private setStatus(status: SaveStatus): void {
    if (status === this.status) return;
    this.status = status;
    for (const listener of this.listeners) listener();
  }

  /** The answers the server hasn't acknowledged yet: newer than what it returned. */
  pendingChoices(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [key, entry] of Object.entries(this.pending)) out[key] = entry.choice;
    return out;
  }

  hasPending(): boolean {
    return Object.keys(this.pending).length > 0;
  }

  private nextSeq(): number {
    // Another tab of this browser may have numbered changes too: continue after the highest.
    this.seq = Math.min(MAX_SEQ, Math.max(this.seq, readJson<number>(SEQ_KEY, 0)) + 1);
    writeJson(SEQ_KEY, this.seq);
    return this.seq;
  }

  /** Records a change: persisted at once, sent after a short pause. */
  set(itemKey: string, choice: string[]): void {
    this.pending[itemKey] = { choice, seq: this.nextSeq() };
    this.persist();
    if (this.blocked) return;
    const now = Date.now();
    this.firstUnsavedAt ??= now;
    // Debounced, but never held back more than a second after the first unsaved change.
    const wait = Math.max(0, Math.min(DEBOUNCE_MS, this.firstUnsavedAt + MAX_WAIT_MS - now));
    if (!navigator.onLine) this.setStatus('offline');
    else if (this.status !== 'retrying' && this.status !== 'offline') this.setStatus('saving');
    this.schedule(wait);
  }

  /**
   * Numbers the unsaved changes above everything the server holds, so what this window shows is what
   * gets saved (also after it takes the attempt back from another window).
   */
  rebase(serverLastSeq: number): void {
    this.seq = Math.max(this.seq, serverLastSeq);
    const entries = Object.values(this.pending).sort((a, b) => a.seq - b.seq);
    let changed = false;
    for (const entry of entries) {
      if (entry.seq <= serverLastSeq) {
        entry.seq = this.nextSeq();
        changed = true;
      }
    }
    if (changed) this.persist();
  }

  /** performance.now() at which the section closes; autosave stops just before it. */
  setDeadline(deadline: number | null): void {
    this.deadline = deadline;
  }

  /** Stops sending while a submit is on its way (waiting for a save in flight); `resume` restarts. */
  async hold(): Promise<void> {
    this.held = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.inFlight;
  }

  resume(): void {
    this.held = false;
    if (this.hasPending()) this.schedule(0);
  }

  /** After 409 SESSION_MOVED: nothing is sent until this window takes the attempt back. */
  block(): void {
    this.blocked = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.setStatus('blocked');
  }

  unblock(serverLastSeq: number): void {
    this.blocked = false;
    this.failures = 0;
    this.rebase(serverLastSeq);
    this.setStatus(this.hasPending() ? 'saving' : 'saved');
    if (this.hasPending()) this.schedule(0);
  }

  /** The pending answers, for a save or a submit to carry. */
  drain(): AnswerWrite[] {
    return Object.entries(this.pending).map(([itemKey, { choice, seq }]) => ({ itemKey, choice, seq }));
  }

  /** The server has these (a save or a submit returned 2xx); newer changes to the same items stay. */
  acknowledge(sent: AnswerWrite[]): void {
    for (const write of sent) {
      if (this.pending[write.itemKey]?.seq === write.seq) delete this.pending[write.itemKey];
    }
    this.persist();
    if (!this.hasPending()) {
      this.firstUnsavedAt = null;
      if (!this.blocked) this.setStatus('saved');
    }
  }

  /** Nothing more can be saved for this section: nothing of it stays on this device. */
  clear(): void {
    this.pending = {};
    this.persist();
  }

  private persist(): void {
    if (this.hasPending()) writeJson(this.pendingKey, this.pending);
    else removeKey(this.pendingKey);
  }

  /** Unsaved answers of an earlier section can't be saved any more: the server has closed it. */
  private forgetOtherSections(): void {
    try {
      for (let i = localStorage.length - 1; i >= 0; i--) {
        const key = localStorage.key(i);
        if (key?.startsWith(PENDING_PREFIX) && key !== this.pendingKey) localStorage.removeItem(key);
      }
    } catch {
      // ignore
    }
  }

  private schedule(delay: number): void {
    if (this.disposed || this.held || this.blocked) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, delay);
  }

  private readonly handleOnline = () => {
    this.failures = 0;
    if (this.hasPending() && !this.blocked) {
      this.setStatus('saving');
      this.schedule(0);
    }
  };

  private readonly handleOffline = () => {
    if (this.hasPending() && !this.blocked) this.setStatus('offline');
  };

  private pastAutosaveCutoff(): boolean {
    return this.deadline !== null && performance.now() >= this.deadline - STOP_BEFORE_DEADLINE_MS;
  }

  /** Sends everything pending. Safe to call at any time: one request at a time. */
  async flush(): Promise<void> {
    if (this.disposed || this.held || this.blocked || !this.hasPending()) return;
    if (this.inFlight) {
      await this.inFlight;
      return this.flush();
    }
    if (this.pastAutosaveCutoff()) return;
    if (!navigator.onLine) {
      this.setStatus('offline');
      return;
    }
    const batch = this.drain();
    if (this.status !== 'retrying' && this.status !== 'offline') this.setStatus('saving');
    this.inFlight = (async () => {
      try {
        const reply = await take.saveAnswers(batch);
        this.failures = 0;
        // saved, stale (the server holds a newer one) and locked all mean: nothing more to send.
        this.acknowledge(batch);
        // A repeat of a save the server already has is fine; a newer one from elsewhere must be shown.
        const sent = new Map(batch.map((w) => [w.itemKey, w.seq]));
        if (reply.results.some((r) => r.outcome === 'stale' && r.seq > (sent.get(r.itemKey) ?? 0))) {
          this.events.onStale();
        }
        if (this.hasPending()) {
          this.setStatus('saving');
          this.schedule(0);
        }
      } catch (err) {
        this.handleFailure(err);
      } finally {
        this.inFlight = null;
      }
    })();
    await this.inFlight;
  }

  private handleFailure(err: unknown): void {
    if (isTransient(err) || !(err instanceof ApiError)) {
      this.failures += 1;
      const offline = !navigator.onLine || (err instanceof ApiError && err.status === 0);
      this.setStatus(offline ? 'offline' : 'retrying');
      const backoff = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (this.failures - 1));
      this.schedule(backoff / 2 + Math.random() * (backoff / 2));
      return;
    }
    if (err.code === 'SESSION_MOVED') {
      this.block();
    } else if (err.status !== 409) {
      // The server refused the batch outright (an option that isn't in the question): sending it
      // again would loop forever.
      this.clear();
      this.setStatus('saved');
    }
    this.events.onConflict(err);
  }

  /** The page is going away: one last try, which the browser finishes even after the tab closes. */
  sendOnExit(): void {
    if (this.blocked || this.held || !this.hasPending() || this.pastAutosaveCutoff()) return;
    try {
      void fetch('/api/v1/take/answers', {
        method: 'PUT',
        credentials: 'same-origin',
        keepalive: true,
        headers: { 'content-type': 'application/json', [CANDIDATE_HEADER]: '1' },
        body: JSON.stringify({ answers: this.drain() }),
      }).catch(() => undefined);
    } catch {
      // The queue is in localStorage; the next visit sends it.
    }
  }
}

const statusText: Record<SaveStatus, string> = {
  idle: 'Answers save as you go',
  saving: 'Saving…',
  saved: 'Saved',
  offline: 'Offline — your answers are kept on this device',
  retrying: 'Not saved yet — trying again',
  blocked: 'Paused — open in another window',
};

export function saveStatusText(status: SaveStatus): string {
  return statusText[status];
}
