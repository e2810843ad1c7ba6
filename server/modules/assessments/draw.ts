// The draw: which question versions (and option orders) one candidate gets, and the check that a quiz
// section can be drawn at all. Deterministic given a seed, so a plan can be reproduced and tested.
// Pure parts (drawFromPool, planSectionDraw) take a synthetic pool; buildAttemptPlan reads the bank.
import { createHash } from 'node:crypto';
import type { DbOrTrx } from '../../db/database.js';
import { AppError } from '../../errors.js';
import type { PlanItem, PlanSection } from '../attempts/attempt.model.js';
import type { Difficulty } from '../bank/bank.model.js';
import {
  type DrawableQuestionRef,
  getCurrentUploadTaskVersion,
  listDrawableQuestions,
} from '../bank/bank.service.js';
import { type CellCount, planCellCounts } from '../bank/draw-plan.js';
import { loadQuestionVersions } from '../bank/question-cache.js';
import type { QuizSection, Section } from './assessment.model.js';
import { parseSections } from './assessment.model.js';
import type { AssessmentRow } from './assessments.table.js';

/** A cell must hold this many times what it draws, so two candidates rarely see the same set. */
export const POOL_FACTOR = 2;

// ---------------------------------------------------------------------------------------------
// A small seeded PRNG: sfc32 over the first 16 bytes of SHA-256(seed). Fast, 128-bit state, and the
// same sequence on every platform.

export type Rng = () => number;

export function seededRng(seed: string): Rng {
  const h = createHash('sha256').update(seed).digest();
  let a = h.readUInt32LE(0);
  let b = h.readUInt32LE(4);
  let c = h.readUInt32LE(8);
  let d = h.readUInt32LE(12);
  const next = () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  // Warm up: the first outputs of sfc32 correlate with the seed words.
  for (let i = 0; i < 12; i++) next();
  return next;
}

/** A uniform integer in [0, n). */
const below = (rng: Rng, n: number) => Math.min(n - 1, Math.floor(rng() * n));

/** Fisher–Yates on a copy. */
export function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = below(rng, i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** k items sampled uniformly without replacement (a partial Fisher–Yates), in draw order. */
export function sample<T>(items: readonly T[], k: number, rng: Rng): T[] {
  const a = [...items];
  const n = Math.min(k, a.length);
  for (let i = 0; i < n; i++) {
    const j = i + below(rng, a.length - i);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a.slice(0, n);
}

// ---------------------------------------------------------------------------------------------
// Planning one quiz section against a pool

export type PoolQuestion = Pick<DrawableQuestionRef, 'questionId' | 'versionId' | 'subtopic' | 'difficulty'>;

export type QuizDrawSpec = Pick<
  QuizSection,
  'subtopicWeights' | 'difficulty' | 'questionCount' | 'pinnedQuestionIds'
>;

export type SectionDrawProblem = {
  code: 'PINNED_NOT_AVAILABLE' | 'PINNED_OVER_SUBTOPIC';
  questionId?: string;
  subtopic?: string;
  message: string;
};

export type SectionDrawPlan = {
  /** Pinned questions found in the pool, in the order they were pinned. */
  pinned: PoolQuestion[];
  /** What each subtopic × difficulty cell still draws after the pinned questions are counted. */
  cells: CellCount[];
  /** The pool of each used cell, pinned questions excluded, sorted by question id. */
  pools: Map<string, PoolQuestion[]>;
  problems: SectionDrawProblem[];
};

export const cellKey = (subtopic: string, difficulty: Difficulty) => `${subtopic}|${difficulty}`;

/**
 * The cells of a section after counting its pinned questions. planCellCounts gives the cell counts
 * (subtopics exact by largest remainder, difficulty within ±1 overall). A pinned question takes a
 * place in its own cell; when that cell has none left it takes a place elsewhere in its subtopic, and
 * one unit is swapped back in another subtopic so the difficulty totals stay as planned whenever
 * that is possible.
 */
export function planSectionDraw(section: QuizDrawSpec, pool: readonly PoolQuestion[]): SectionDrawPlan {
  const plan = planCellCounts(section.subtopicWeights, section.difficulty, section.questionCount);
  const byId = new Map(pool.map((q) => [q.questionId, q]));
  const problems: SectionDrawProblem[] = [];
  const pinned: PoolQuestion[] = [];
  const seen = new Set<string>();
  for (const id of section.pinnedQuestionIds) {
    if (seen.has(id)) continue;
    seen.add(id);
    const q = byId.get(id);
    if (!q) {
      problems.push({
        code: 'PINNED_NOT_AVAILABLE',
        questionId: id,
        message: 'A pinned question does not exist, is retired, or is not available to this section',
      });
    } else pinned.push(q);
  }

  const counts = new Map<string, number>(plan.cells.map((c) => [cellKey(c.subtopic, c.difficulty), c.count]));
  const get = (s: string, d: Difficulty) => counts.get(cellKey(s, d)) ?? 0;
  const add = (s: string, d: Difficulty, n: number) => counts.set(cellKey(s, d), get(s, d) + n);
  const subtopics = Object.keys(section.subtopicWeights);
  const diffs: Difficulty[] = ['easy', 'medium', 'hard'];
  // What the pinned questions themselves fill, per cell; a cell's draw count never goes below it.
  const fixed = new Map<string, number>();
  const fixedIn = (s: string, d: Difficulty) => fixed.get(cellKey(s, d)) ?? 0;
  const slack = (s: string, d: Difficulty) => get(s, d) - fixedIn(s, d);

  for (const q of pinned) {
    const s = q.subtopic;
    const d = q.difficulty;
    if (slack(s, d) > 0) {
      fixed.set(cellKey(s, d), fixedIn(s, d) + 1);
      continue;
    }
    // Take a place of another difficulty in the same subtopic…
    const from = diffs.find((x) => x !== d && slack(s, x) > 0);
    if (!from) {
      problems.push({
        code: 'PINNED_OVER_SUBTOPIC',
        questionId: q.questionId,
        subtopic: s,
        message: `More questions are pinned in ${s} than the section draws from it`,
      });
      continue;
    }
    add(s, from, -1);
    add(s, d, 1);
    fixed.set(cellKey(s, d), fixedIn(s, d) + 1);
    // …and give that difficulty its place back in another subtopic that can spare one of `d`.
    const other = subtopics.find((o) => o !== s && slack(o, d) > 0);
    if (other) {
      add(other, d, -1);
      add(other, from, 1);
    }
  }

  const cells: CellCount[] = [];
  const pools = new Map<string, PoolQuestion[]>();
  const pinnedIds = new Set(pinned.map((q) => q.questionId));
  for (const s of subtopics) {
    for (const d of diffs) {
      const count = slack(s, d);
      if (count <= 0) continue;
      cells.push({ subtopic: s, difficulty: d, count });
      pools.set(cellKey(s, d), []);
    }
  }
  for (const q of pool) {
    if (pinnedIds.has(q.questionId)) continue;
    pools.get(cellKey(q.subtopic, q.difficulty))?.push(q);
  }
  for (const list of pools.values()) list.sort((a, b) => (a.questionId < b.questionId ? -1 : 1));
  return { pinned, cells, pools, problems };
}

export type CellShortage = { subtopic: string; difficulty: Difficulty; needed: number; available: number };

/** Cells whose pool holds fewer than POOL_FACTOR × what they draw. */
export function shortagesOf(plan: SectionDrawPlan): CellShortage[] {
  const out: CellShortage[] = [];
  for (const c of plan.cells) {
    const available = plan.pools.get(cellKey(c.subtopic, c.difficulty))?.length ?? 0;
    const needed = c.count * POOL_FACTOR;
    if (available < needed) out.push({ subtopic: c.subtopic, difficulty: c.difficulty, needed, available });
  }
  return out;
}

/**
 * Draws one quiz section from a pool: the pinned questions first, then each cell sampled uniformly
 * without replacement. Pure and deterministic for a given seed. A cell with too small a pool gives
 * what it has (the draw check refuses to open such an assessment).
 */
export function drawFromPool(
  section: QuizDrawSpec,
  pool: readonly PoolQuestion[],
  seed: string,
): { questions: PoolQuestion[]; plan: SectionDrawPlan } {
  const plan = planSectionDraw(section, pool);
  const rng = seededRng(seed);
  const questions = [...plan.pinned];
  for (const c of plan.cells) {
    questions.push(...sample(plan.pools.get(cellKey(c.subtopic, c.difficulty)) ?? [], c.count, rng));
  }
  return { questions, plan };
}

// ---------------------------------------------------------------------------------------------
// Section weights

/**
 * Each section's share of the overall score, summing to 1. Explicit weights are percentages; the
 * sections without one share what is left of 100 in proportion to their time limits (all of it when
 * none has a weight). If everything comes out zero, time limits decide.
 */
export function resolveSectionWeights(
  sections: ReadonlyArray<Pick<Section, 'weight' | 'minutes'>>,
): number[] {
  if (!sections.length) return [];
  const explicit = sections.reduce((s, x) => s + (x.weight ?? 0), 0);
  const open = sections.filter((x) => x.weight === null);
  const openMinutes = open.reduce((s, x) => s + x.minutes, 0);
  const left = Math.max(0, 100 - explicit);
  let raw = sections.map((x) =>
    x.weight !== null ? x.weight : openMinutes > 0 ? (left * x.minutes) / openMinutes : 0,
  );
  let total = raw.reduce((s, w) => s + w, 0);
  if (total <= 0) {
    raw = sections.map((x) => x.minutes);
    total = raw.reduce((s, w) => s + w, 0);
  }
  return raw.map((w) => w / total);
}

// ---------------------------------------------------------------------------------------------
// The attempt plan

/** The seed that chooses a section's questions: per candidate, or per assessment revision when fixed. */
export function selectionSeed(
  assessment: Pick<AssessmentRow, 'id' | 'revision'>,
  section: QuizSection,
  seed: string,
) {
  return section.draw === 'fixed'
    ? `fixed:${assessment.id}:r${assessment.revision}:${section.key}`
    : `draw:${seed}:${section.key}`;
}

/**
 * Freezes what one candidate gets: for each quiz section the drawn question versions in order with
 * their option orders, for each upload section the task's current version. Reads the bank only.
 */
export async function buildAttemptPlan(
  db: DbOrTrx,
  assessment: AssessmentRow,
  opts: { seed: string },
): Promise<{ sections: PlanSection[] }> {
  const sections = parseSections(assessment.sections);
  const weights = resolveSectionWeights(sections);
  const out: PlanSection[] = [];
  let itemNo = 0;
  // Questions already drawn for an earlier section: a candidate never meets one question twice, and
  // never sees a later section's question early.
  const drawn = new Set<string>();
  for (const [i, section] of sections.entries()) {
    const weight = weights[i] ?? 0;
    if (section.kind === 'upload') {
      const v = await getCurrentUploadTaskVersion(db, assessment.org_id, section.taskId);
      out.push({
        key: section.key,
        kind: 'upload',
        title: section.title,
        minutes: section.minutes,
        weight,
        taskVersionId: v.id,
        accept: section.accept,
        maxSizeMb: section.maxSizeMb,
        maxFiles: section.maxFiles,
        allowZip: section.allowZip,
        reviewersRequired: section.reviewersRequired,
      });
      continue;
    }
    const pool = await listDrawableQuestions(db, {
      orgId: assessment.org_id,
      ownOnly: section.ownQuestionsOnly,
    });
    const seed = selectionSeed(assessment, section, opts.seed);
    let { questions } = drawFromPool(
      section,
      drawn.size ? pool.filter((q) => !drawn.has(q.questionId)) : pool,
      seed,
    );
    if (drawn.size) {
      // A pool too small for every section without repeats: a repeat beats a short section.
      const full = drawFromPool(section, pool, seed);
      if (full.questions.length > questions.length) questions = full.questions;
    }
    for (const q of questions) drawn.add(q.questionId);
    const versions = await loadQuestionVersions(
      db,
      questions.map((q) => q.versionId),
    );
    const orderRng = seededRng(`order:${opts.seed}:${section.key}`);
    const ordered = section.shuffleQuestions ? shuffled(questions, orderRng) : questions;
    const items: PlanItem[] = ordered.map((q) => {
      const v = versions.get(q.versionId);
      if (!v) throw new Error(`question version ${q.versionId} vanished during the draw`);
      const optionIds = v.options.map((o) => o.id);
      itemNo++;
      return {
        key: `i${itemNo}`,
        questionVersionId: v.versionId,
        subtopic: v.subtopic,
        difficulty: v.difficulty,
        kind: v.kind,
        optionOrder: section.shuffleOptions ? shuffled(optionIds, orderRng) : optionIds,
      };
    });
    out.push({
      key: section.key,
      kind: 'quiz',
      title: section.title,
      minutes: section.minutes,
      weight,
      allowBack: section.allowBack,
      items,
    });
  }
  return { sections: out };
}

// ---------------------------------------------------------------------------------------------
// The draw check: can every section be drawn for this organization, with room to spare?

export type DrawCheckShortage = CellShortage & { sectionKey: string };
export type DrawCheckProblem = {
  sectionKey: string | null;
  code:
    | 'NO_SECTIONS'
    | 'DUPLICATE_SECTION_KEY'
    | 'PINNED_NOT_AVAILABLE'
    | 'PINNED_OVER_SUBTOPIC'
    | 'UPLOAD_TASK_NOT_AVAILABLE';
  id: string | null;
  message: string;
};

/**
 * Every quiz section's cells hold at least POOL_FACTOR × what they draw (pinned questions counted
 * toward their subtopic and left out of the pool), pinned questions are available, and every upload
 * task exists for the organization and is not retired. Reads only; one pool query per kind of pool.
 */
export async function checkSectionsDraw(
  db: DbOrTrx,
  orgId: string,
  sections: readonly Section[],
): Promise<{ ok: boolean; shortages: DrawCheckShortage[]; problems: DrawCheckProblem[] }> {
  const shortages: DrawCheckShortage[] = [];
  const problems: DrawCheckProblem[] = [];
  if (!sections.length)
    problems.push({ sectionKey: null, code: 'NO_SECTIONS', id: null, message: 'Add at least one section' });
  const keys = new Set<string>();
  const pools = new Map<boolean, PoolQuestion[]>();
  for (const section of sections) {
    if (keys.has(section.key)) {
      problems.push({
        sectionKey: section.key,
        code: 'DUPLICATE_SECTION_KEY',
        id: null,
        message: 'Two sections share this key',
      });
    }
    keys.add(section.key);
    if (section.kind === 'upload') {
      try {
        await getCurrentUploadTaskVersion(db, orgId, section.taskId);
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        problems.push({
          sectionKey: section.key,
          code: 'UPLOAD_TASK_NOT_AVAILABLE',
          id: section.taskId,
          message: 'The upload task does not exist or is retired',
        });
      }
      continue;
    }
    let pool = pools.get(section.ownQuestionsOnly);
    if (!pool) {
      pool = await listDrawableQuestions(db, { orgId, ownOnly: section.ownQuestionsOnly });
      pools.set(section.ownQuestionsOnly, pool);
    }
    const plan = planSectionDraw(section, pool);
    for (const s of shortagesOf(plan)) shortages.push({ sectionKey: section.key, ...s });
    for (const p of plan.problems)
      problems.push({ sectionKey: section.key, code: p.code, id: p.questionId ?? null, message: p.message });
  }
  return { ok: !shortages.length && !problems.length, shortages, problems };
}
