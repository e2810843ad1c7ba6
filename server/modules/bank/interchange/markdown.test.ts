import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { htmlToMarkdown, nodesToMarkdown } from './html-to-markdown.js';
import {
  type Block,
  type Inline,
  markdownToXhtml,
  normalizeInlines,
  parseInline,
  parseMarkdown,
  renderBlocks,
  serializeMarkdown,
  tidyInlines,
} from './markdown.js';
import { fixtureQuestions, fixtureTasks } from './test-fixtures.js';
import { h, serializeFragment, serializeXml } from './xml.js';
import { parseXmlSafely } from './xml-safety.js';

/** Markdown → XHTML (as QTI carries it) → Markdown. */
const viaXhtml = (md: string, inline = false) => {
  const xml = serializeXml(h('root', {}, markdownToXhtml(md, { inlineSingleParagraph: inline })));
  return nodesToMarkdown(parseXmlSafely(xml).children);
};
/** Markdown → HTML string (as Moodle carries it) → Markdown. */
const viaHtml = (md: string) => htmlToMarkdown(serializeFragment(markdownToXhtml(md, { olStart: true })));

describe('Markdown ⇄ XHTML', () => {
  it('gives canonical Markdown back unchanged', () => {
    const texts = [
      ...fixtureQuestions.flatMap((q) => [q.stem, q.explanation, ...q.options.map((o) => o.text)]),
      ...fixtureTasks.flatMap((t) => [t.prompt, t.reviewerNotes]),
      'Soft\nline breaks stay, and hard ones\\\ntoo.',
      '# H1\n\n###### H6 with `code` and *em*',
      '- tight\n- list\n\n1. ordered\n2. list',
      '- loose\n\n- list\n\n  with two paragraphs',
      '3. starts at three\n4. next',
      '````md\n```\nfenced inside\n```\n````',
      '```\n\n  indented after a blank line\n```',
      'Escapes: \\*not em\\*, \\_not em\\_, \\`not code\\`, \\<b> not a tag,\n1\\. not a list\n\\# not a heading',
      'snake_case_names and 2 * 3 * 4 and a_b_c stay as they are',
      '``code with ` backtick`` and ``` `` ``` and ```a``b```',
      '- a\n\n* b',
    ];
    for (const md of texts) {
      expect(viaHtml(md), md).toBe(md);
      // QTI's XHTML has no <ol start>: numbering restarts at 1 there.
      expect(viaXhtml(md), md).toBe(md.startsWith('3.') ? '1. starts at three\n2. next' : md);
    }
    expect(viaXhtml('`a` and *b*', true)).toBe('`a` and *b*');
  });

  it('normalises other Markdown to the canonical form, idempotently', () => {
    const cases: Array<[string, string]> = [
      ['* star bullets\n+ plus', '- star bullets\n\n* plus'],
      ['1) paren\n2) list', '1. paren\n2. list'],
      ['_underscore em_ and __strong__', '*underscore em* and **strong**'],
      ['trailing two spaces  \nbreak', 'trailing two spaces\\\nbreak'],
      ['Para\n\n\n\nwith extra blank lines', 'Para\n\nwith extra blank lines'],
      ['raw <b>html</b> is text', 'raw \\<b>html\\</b> is text'],
      ['## closing hashes ##', '## closing hashes'],
      ['~~~\ntilde fence\n~~~', '```\ntilde fence\n```'],
      ['`` padded `` and ` `` `', '`padded` and ``` `` ```'],
    ];
    for (const [input, canonical] of cases) {
      const once = serializeMarkdown(parseMarkdown(input));
      expect(once, input).toBe(canonical);
      expect(serializeMarkdown(parseMarkdown(once))).toBe(once);
      expect(viaXhtml(input)).toBe(canonical);
    }
  });

  it('parses emphasis and code like CommonMark in the common cases', () => {
    expect(parseInline('a *b* **c** `d` _e_ f_g_h')).toEqual([
      { t: 'text', v: 'a ' },
      { t: 'em', c: [{ t: 'text', v: 'b' }] },
      { t: 'text', v: ' ' },
      { t: 'strong', c: [{ t: 'text', v: 'c' }] },
      { t: 'text', v: ' ' },
      { t: 'code', v: 'd' },
      { t: 'text', v: ' ' },
      { t: 'em', c: [{ t: 'text', v: 'e' }] },
      { t: 'text', v: ' f_g_h' },
    ]);
    expect(parseInline('`*not em*`')).toEqual([{ t: 'code', v: '*not em*' }]);
    expect(parseInline('* not em *')).toEqual([{ t: 'text', v: '* not em *' }]);
  });
});

describe('Markdown serializer (property)', () => {
  const textChars = fc.constantFrom(...'ab *_`\\<>[]()#-=+1.&;:~{}!\n'.split(''), 'x', 'é', '😀');
  const text = fc.array(textChars, { minLength: 1, maxLength: 12 }).map((cs) => cs.join(''));
  const inline: fc.Arbitrary<Inline> = fc.letrec((tie) => ({
    node: fc.oneof(
      { weight: 5, arbitrary: text.map((v): Inline => ({ t: 'text', v })) },
      { weight: 2, arbitrary: text.map((v): Inline => ({ t: 'code', v: v.replace(/\n/g, ' ') })) },
      { weight: 1, arbitrary: fc.constant<Inline>({ t: 'br' }) },
      {
        weight: 1,
        arbitrary: fc
          .array(tie('node'), { minLength: 1, maxLength: 3 })
          .map((c): Inline => ({ t: 'em', c: c as Inline[] })),
      },
      {
        weight: 1,
        arbitrary: fc
          .array(tie('node'), { minLength: 1, maxLength: 3 })
          .map((c): Inline => ({ t: 'strong', c: c as Inline[] })),
      },
    ),
  })).node;
  const plain = (ns: readonly Inline[]): string =>
    ns.map((n) => (n.t === 'text' || n.t === 'code' ? n.v : n.t === 'br' ? '\n' : plain(n.c))).join('');

  it('any paragraph serializes to Markdown that parses back to one paragraph with the same text', () => {
    fc.assert(
      fc.property(fc.array(inline, { minLength: 1, maxLength: 6 }), (nodes) => {
        const want = tidyInlines(normalizeInlines(nodes));
        fc.pre(want.length > 0);
        const md = serializeMarkdown([{ t: 'p', c: want }]);
        const back = parseMarkdown(md);
        expect(back).toHaveLength(1);
        const p = back[0] as Extract<Block, { t: 'p' }>;
        expect(p.t).toBe('p');
        // Emphasis may be given up when it cannot be written unambiguously; text and code never are.
        expect(plain(p.c).replace(/\s+/g, ' ')).toBe(plain(want).replace(/\s+/g, ' '));
        if (!JSON.stringify(want).includes('"em"') && !JSON.stringify(want).includes('"strong"'))
          expect(p.c).toEqual(want);
      }),
      { numRuns: 400 },
    );
  });

  const brToSpace = (ns: readonly Inline[]): Inline[] =>
    ns.map(
      (n): Inline =>
        n.t === 'br'
          ? { t: 'text', v: ' ' }
          : n.t === 'em' || n.t === 'strong'
            ? { t: n.t, c: brToSpace(n.c) }
            : n,
    );

  it('any block structure (headings, code, nested lists) survives serialize → parse', () => {
    const para = fc.array(inline, { minLength: 1, maxLength: 4 }).map((c): Block => ({ t: 'p', c }));
    const codeLine = fc
      .array(fc.constantFrom(...'a `~#-*1. '.split('')), { minLength: 1, maxLength: 8 })
      .map((cs) => cs.join(''));
    const code = fc
      .tuple(
        fc.constantFrom('', 'sql', 'js'),
        fc.array(
          codeLine.filter((l) => l.trim() !== ''),
          { minLength: 1, maxLength: 3 },
        ),
      )
      .map(([lang, lines]): Block => ({ t: 'code', lang, v: lines.join('\n') }));
    const heading = fc
      .tuple(fc.integer({ min: 1, max: 6 }), fc.array(inline, { minLength: 1, maxLength: 3 }))
      .map(([level, c]): Block => ({ t: 'h', level, c }));
    const block: fc.Arbitrary<Block> = fc.letrec((tie) => ({
      block: fc.oneof(
        { weight: 4, arbitrary: para },
        { weight: 1, arbitrary: code },
        { weight: 1, arbitrary: heading },
        {
          weight: 1,
          arbitrary: fc
            .tuple(
              fc.boolean(),
              fc.boolean(),
              fc.array(fc.array(tie('block'), { minLength: 1, maxLength: 2 }), {
                minLength: 1,
                maxLength: 3,
              }),
            )
            .map(
              ([ordered, loose, items]): Block => ({
                t: 'list',
                ordered,
                start: 1,
                loose,
                items: items as Block[][],
              }),
            ),
        },
      ),
    })).block;
    const shape = (bs: readonly Block[]): unknown[] =>
      bs.flatMap((b): unknown[] => {
        if (b.t === 'code') return [{ code: b.v, lang: b.lang }];
        if (b.t === 'list') {
          const items = b.items.map(shape).filter((i) => i.length > 0);
          return items.length ? [{ list: b.ordered, items }] : [];
        }
        const text = plain(tidyInlines(normalizeInlines(b.t === 'h' ? brToSpace(b.c) : b.c)))
          .replace(/\s+/g, ' ')
          .trim();
        return text ? [{ [b.t]: text, ...(b.t === 'h' ? { level: b.level } : {}) }] : [];
      });
    fc.assert(
      fc.property(fc.array(block, { minLength: 1, maxLength: 4 }), (blocks) => {
        const want = shape(blocks);
        fc.pre(want.length > 0);
        expect(shape(parseMarkdown(serializeMarkdown(blocks)))).toEqual(want);
        // …and through XHTML (QTI) and an HTML string (Moodle) as well.
        const xhtml = serializeXml(h('root', {}, renderBlocks(blocks)));
        expect(shape(parseMarkdown(nodesToMarkdown(parseXmlSafely(xhtml).children)))).toEqual(want);
        expect(shape(parseMarkdown(htmlToMarkdown(serializeFragment(renderBlocks(blocks)))))).toEqual(want);
      }),
      { numRuns: 300 },
    );
  });
});
