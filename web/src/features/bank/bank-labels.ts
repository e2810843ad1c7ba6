// Words for the bank's enums, and subtopic names from the taxonomy, shared by the bank pages.
import { type Difficulty, type QuestionKind, type QuestionSource, useSkills } from '../../api/bank';

export const difficultyLabels: Record<Difficulty, string> = { easy: 'Easy', medium: 'Medium', hard: 'Hard' };
export const difficultyColors: Record<Difficulty, string> = { easy: 'teal', medium: 'yellow', hard: 'red' };

export const kindLabels: Record<QuestionKind, string> = {
  single: 'Single answer',
  multiple: 'Multiple answers',
};

export const sourceLabels: Record<QuestionSource, string> = {
  builtin: 'Built-in',
  pack: 'Content pack',
  custom: 'Custom',
};

/** "server-side-languages" → "Server side languages", for an id the taxonomy doesn't know. */
const humanize = (id: string) => {
  const words = id.replace(/-/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
};

export type SubtopicOption = { value: string; label: string };

/** The taxonomy's subtopics as select options, and a name for any subtopic id. */
export function useSubtopics() {
  const skills = useSkills();
  const options: SubtopicOption[] = (skills.data?.items ?? []).flatMap((skill) =>
    skill.subtopics.map((t) => ({ value: t.id, label: t.name })),
  );
  const names = new Map(options.map((o) => [o.value, o.label]));
  return {
    options,
    isPending: skills.isPending,
    nameOf: (id: string) => names.get(id) ?? humanize(id),
  };
}

/**
 * A plain-text glimpse of a Markdown stem for a table row: its prose without markup, with "…" where
 * a code block was left out.
 */
export function stemPreview(stem: string, max = 160): string {
  const text = stem
    .replace(/\r\n?/g, '\n')
    .replace(/^\s*(`{3,}|~{3,})[^\n]*\n[\s\S]*?(^\s*\1[^\n]*$|(?![\s\S]))/gm, ' … ')
    .replace(/`+([^`]*)`+/g, '$1')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/(\*\*|__|\*)(\S[^*_]*?)\1/g, '$2')
    .replace(/^\s*(#{1,6}|[-*+]|\d+[.)])\s+/gm, '')
    .replace(/\s+/g, ' ')
    .replace(/( …)+/g, ' …')
    .trim()
    .replace(/^…\s*/, '');
  return text.length > max ? `${text.slice(0, max - 1).trimEnd()}…` : text;
}
