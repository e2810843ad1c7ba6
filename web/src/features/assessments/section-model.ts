// The builder's rules for sections: new sections with sensible defaults, unique keys, and the checks
// the server makes (weights and mixes that add up to 100, limits), so mistakes show before saving.
// Errors are keyed like the server's field errors: "sections.2.subtopicWeights".
import type { QuizSection, Section, UploadSection } from '../../api/assessments';

/** The six subtopics of backend development, in the taxonomy's order. */
export const subtopicIds = [
  'server-side-languages',
  'databases',
  'api-integration',
  'server-management',
  'security-auth',
  'caching-performance',
] as const;
export type SubtopicId = (typeof subtopicIds)[number];

export const difficulties = ['easy', 'medium', 'hard'] as const;

export type SectionErrors = Record<string, string>;

function nextKey(sections: readonly Section[], prefix: string): string {
  const used = new Set(sections.map((s) => s.key));
  for (let n = 1; ; n++) {
    const key = `${prefix}-${n}`;
    if (!used.has(key)) return key;
  }
}

export function newQuizSection(sections: readonly Section[]): QuizSection {
  return {
    key: nextKey(sections, 'quiz'),
    kind: 'quiz',
    title: 'Concepts & Knowledge',
    minutes: 30,
    weight: null,
    questionCount: 20,
    // Even shares that add up to exactly 100.
    subtopicWeights: Object.fromEntries(subtopicIds.map((id, i) => [id, i < 4 ? 17 : 16])),
    difficulty: { easy: 30, medium: 50, hard: 20 },
    draw: 'random',
    shuffleQuestions: true,
    shuffleOptions: true,
    allowBack: true,
    pinnedQuestionIds: [],
    ownQuestionsOnly: false,
  };
}

export function newUploadSection(sections: readonly Section[]): UploadSection {
  return {
    key: nextKey(sections, 'upload'),
    kind: 'upload',
    title: '',
    minutes: 60,
    weight: null,
    taskId: '',
    accept: [],
    maxSizeMb: 10,
    maxFiles: 1,
    allowZip: false,
    reviewersRequired: 1,
  };
}

export const sumOf = (values: Record<string, number | undefined>) =>
  Object.values(values).reduce<number>((total, v) => total + (Number.isFinite(v) ? (v ?? 0) : 0), 0);

function checkInt(
  errors: SectionErrors,
  path: string,
  value: number,
  min: number,
  max: number,
  what = 'a whole number',
) {
  if (!Number.isFinite(value)) errors[path] = 'Enter a number';
  else if (!Number.isInteger(value)) errors[path] = `Enter ${what}`;
  else if (value < min || value > max) errors[path] = `Enter ${min} to ${max}`;
}

/** Everything the server would refuse, found before the round trip. */
export function validateSections(sections: readonly Section[]): SectionErrors {
  const errors: SectionErrors = {};
  sections.forEach((s, i) => {
    const at = (field: string) => `sections.${i}.${field}`;
    if (!s.title.trim()) errors[at('title')] = 'Give the section a title';
    checkInt(errors, at('minutes'), s.minutes, 1, 480);
    if (s.weight !== null) {
      if (!Number.isFinite(s.weight) || s.weight < 0 || s.weight > 100)
        errors[at('weight')] = 'Enter 0 to 100';
    }
    if (s.kind === 'quiz') {
      checkInt(errors, at('questionCount'), s.questionCount, 1, 200);
      for (const id of subtopicIds) {
        checkInt(errors, at(`subtopicWeights.${id}`), s.subtopicWeights[id] ?? 0, 0, 100);
      }
      const weights = sumOf(s.subtopicWeights);
      if (weights !== 100) errors[at('subtopicWeights')] = `The weights add up to ${weights}, not 100`;
      for (const d of difficulties) {
        checkInt(errors, at(`difficulty.${d}`), s.difficulty[d], 0, 100);
      }
      const mix = sumOf(s.difficulty);
      if (mix !== 100) errors[at('difficulty')] = `The mix adds up to ${mix}, not 100`;
    } else {
      if (!s.taskId) errors[at('taskId')] = 'Choose an upload task';
      if (s.accept.length === 0) errors[at('accept')] = 'Add at least one file type, such as .sql';
      const bad = s.accept.find((ext) => !/^\.[a-z0-9]{1,10}$/.test(ext));
      if (bad) errors[at('accept')] = `“${bad}” isn’t a file extension like .sql`;
      if (!Number.isFinite(s.maxSizeMb) || s.maxSizeMb <= 0) errors[at('maxSizeMb')] = 'Enter a size above 0';
      checkInt(errors, at('maxFiles'), s.maxFiles, 1, 20);
      checkInt(errors, at('reviewersRequired'), s.reviewersRequired, 1, 3);
    }
  });
  return errors;
}

/** Turns what someone typed into an extension the server accepts: "SQL" → ".sql". */
export function normaliseExtension(raw: string): string {
  const t = raw.trim().toLowerCase().replace(/^\*/, '');
  return t.startsWith('.') ? t : `.${t}`;
}

/** The errors of one section, with the "sections.i." prefix taken off. */
export function errorsOfSection(errors: SectionErrors, index: number): Record<string, string> {
  const prefix = `sections.${index}.`;
  const out: Record<string, string> = {};
  for (const [key, message] of Object.entries(errors)) {
    if (key.startsWith(prefix)) out[key.slice(prefix.length)] = message;
  }
  return out;
}
