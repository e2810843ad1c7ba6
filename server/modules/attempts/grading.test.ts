import { describe, expect, it } from 'vitest';
import type { PlanSection } from './attempt.model.js';
import { combineSectionScores, gradeAttempt } from './grading.js';
import { tierFor } from './integrity.js';
import { extensionOf, sanitizeDisplayName } from './upload-inspection.js';

const item = (key: string, kind: 'single' | 'multiple', subtopic = 'databases') => ({
  key,
  questionVersionId: `v-${key}`,
  subtopic,
  difficulty: 'easy' as const,
  kind,
  optionOrder: ['a', 'b', 'c', 'd'],
});

const quiz = (key: string, weight: number, items: ReturnType<typeof item>[]): PlanSection => ({
  key,
  kind: 'quiz',
  title: key,
  minutes: 10,
  weight,
  allowBack: true,
  items,
});

describe('grading', () => {
  const versions = new Map([
    ['v-i1', { kind: 'single' as const, correct: ['a'] }],
    ['v-i2', { kind: 'single' as const, correct: ['a'] }],
    ['v-i3', { kind: 'multiple' as const, correct: ['a', 'b', 'c'] }],
    ['v-i4', { kind: 'multiple' as const, correct: ['a', 'b'] }],
  ]);

  it('gives multiple answers partial credit, never below zero', () => {
    const plan = {
      sections: [
        quiz('s', 1, [
          item('i1', 'single'),
          item('i2', 'single'),
          item('i3', 'multiple'),
          item('i4', 'multiple', 'security-auth'),
        ]),
      ],
    };
    const r = gradeAttempt(
      plan,
      new Map([
        ['i1', ['a']],
        ['i2', ['a', 'b']],
        ['i3', ['a', 'b', 'd']],
        ['i4', ['c', 'd']],
      ]),
      versions,
    );
    // (2 right − 1 wrong) / 3 = 1/3; two wrong on i4 clamp to 0; a single with two picks is wrong.
    expect(r.scores.byItem).toEqual({ i1: 1, i2: 0, i3: 1 / 3, i4: 0 });
    expect(r.scores.bySection.s).toBeCloseTo((1 + 1 / 3) / 4, 10);
    expect(r.scores.bySubtopic).toEqual({ databases: (1 + 0 + 1 / 3) / 3, 'security-auth': 0 });
    expect(r.needsReview).toBe(false);
  });

  it('weighs sections, and scores only quiz sections while uploads await review', () => {
    const plan = {
      sections: [
        quiz('a', 0.2, [item('i1', 'single')]),
        quiz('b', 0.3, [item('i2', 'single')]),
        {
          key: 'u',
          kind: 'upload' as const,
          title: 'u',
          minutes: 30,
          weight: 0.5,
          taskVersionId: 't',
          accept: ['.sql'],
          maxSizeMb: 1,
          maxFiles: 1,
          allowZip: false,
          reviewersRequired: 1,
        },
      ],
    };
    const r = gradeAttempt(plan, new Map([['i1', ['a']]]), versions);
    expect(r.needsReview).toBe(true);
    expect(r.scores.bySection).toEqual({ a: 1, b: 0, u: null });
    expect(r.score).toBeCloseTo(0.2 / 0.5, 10);
    expect(combineSectionScores(plan.sections, { a: 1, b: 0, u: 0.5 })).toBeCloseTo(0.2 + 0.25, 10);
  });

  it('falls back to time limits when every weight is zero', () => {
    const sections = [
      { key: 'a', weight: 0, minutes: 10 },
      { key: 'b', weight: 0, minutes: 30 },
    ];
    expect(combineSectionScores(sections, { a: 1, b: 0 })).toBeCloseTo(0.25, 10);
  });
});

describe('integrity tiers', () => {
  const all = [
    'tab-hidden',
    'window-blur',
    'copy-paste',
    'fullscreen-exit',
    'ip-change',
    'second-session',
  ] as const;
  it('is none without counted events, some below the thresholds, major at them', () => {
    expect(tierFor({}, all)).toBe('none');
    expect(tierFor({ 'tab-visible': 30 }, all)).toBe('none');
    expect(tierFor({ 'tab-hidden': 9, paste: 4 }, all)).toBe('some');
    expect(tierFor({ 'tab-hidden': 10 }, all)).toBe('major');
    expect(tierFor({ 'second-session': 2 }, all)).toBe('major');
  });
  it('counts only the signals the assessment enables', () => {
    expect(tierFor({ 'second-session': 5 }, ['tab-hidden'])).toBe('none');
    expect(tierFor({ paste: 50, 'tab-hidden': 1 }, ['tab-hidden'])).toBe('some');
  });
});

describe('display names', () => {
  it('strips paths, control and bidi characters, and keeps the extension within 120 characters', () => {
    expect(sanitizeDisplayName('../../etc/passwd.sql')).toBe('passwd.sql');
    expect(sanitizeDisplayName('C:\\Users\\me\\answer.sql')).toBe('answer.sql');
    expect(sanitizeDisplayName('report\r\n.sql')).toBe('report.sql');
    expect(sanitizeDisplayName('evil\u0000.pdf.js')).toBe('evil.pdf.js');
    expect(sanitizeDisplayName('invoice\u202Egpj.exe')).toBe('invoicegpj.exe');
    expect(sanitizeDisplayName('a\u2066b\u2069.sql')).toBe('ab.sql');
    expect(sanitizeDisplayName('..')).toBe('file');
    expect(sanitizeDisplayName('dir/')).toBe('file');
    const long = sanitizeDisplayName(`${'é'.repeat(200)}.sql`);
    expect(long).toHaveLength(120);
    expect(long.endsWith('.sql')).toBe(true);
  });
  it('takes the last extension, lowercased', () => {
    expect(extensionOf('a.pdf.JS')).toBe('.js');
    expect(extensionOf('Dockerfile')).toBe('');
    expect(extensionOf('trailing.')).toBe('');
    expect(extensionOf('.env')).toBe('.env');
  });
});
