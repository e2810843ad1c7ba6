// The small Markdown dialect interchange uses: paragraphs (soft line breaks kept), ATX headings, fenced
// code, bullet and ordered lists (nested, tight or loose), inline code, emphasis, strong, hard breaks and
// backslash escapes. Everything else (links, raw HTML, tables, block quotes) is plain text: the renderer
// never emits raw HTML.
//
// Markdown → model (`parseMarkdown`) → XHTML (`renderBlocks`) on export; HTML → model
// (html-to-markdown.ts) → Markdown (`serializeMarkdown`) on import. `serializeMarkdown` writes a canonical
// form and checks its own output by parsing it again, so an exported text imports unchanged whenever it
// was already canonical (see docs/content-format.md, "Interchange formats").
import { h, type XElement, type XNode } from './xml.js';

export type Inline =
  | { t: 'text'; v: string }
  | { t: 'code'; v: string }
  | { t: 'em'; c: Inline[] }
  | { t: 'strong'; c: Inline[] }
  | { t: 'br' };

export type Block =
  | { t: 'p'; c: Inline[] }
  | { t: 'h'; level: number; c: Inline[] }
  | { t: 'code'; lang: string; v: string }
  | { t: 'list'; ordered: boolean; start: number; loose: boolean; items: Block[][] };

// ---------------------------------------------------------------------------------------------------------
// Inline parsing

const ASCII_PUNCT = new Set('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~');
const isSpace = (c: string | undefined) => c === undefined || /\s/.test(c);
const isAlnum = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}]/u.test(c);

function runLength(s: string, i: number, ch: string): number {
  let n = 0;
  while (s[i + n] === ch) n++;
  return n;
}

/** Finds the closing backtick run of exactly `n` after `from`, or -1. */
function findCodeClose(s: string, from: number, n: number): number {
  let j = s.indexOf('`', from);
  while (j >= 0) {
    const len = runLength(s, j, '`');
    if (len === n) return j;
    j = s.indexOf('`', j + len);
  }
  return -1;
}

/**
 * Code span content. A line break inside a span is kept as a newline (renderers show it as a space) so
 * that hard-wrapped source text survives a round trip.
 */
function codeContent(raw: string): string {
  const v = raw.replace(/[ \t]*\n[ \t]*/g, '\n');
  if (v.length >= 2 && /^[ \n]/.test(v) && /[ \n]$/.test(v) && v.trim() !== '') return v.slice(1, -1);
  return v;
}

/** Finds a closing `ch` run of exactly `d` for emphasis opened before `from`, skipping code spans and escapes. */
function findEmphasisClose(s: string, from: number, ch: string, d: number): number {
  let i = from;
  while (i < s.length) {
    const c = s[i];
    if (c === '\\' && i + 1 < s.length) {
      i += 2;
    } else if (c === '`') {
      const n = runLength(s, i, '`');
      const close = findCodeClose(s, i + n, n);
      i = close < 0 ? i + n : close + n;
    } else if (c === ch) {
      const n = runLength(s, i, ch);
      if (n === d && i > from && !isSpace(s[i - 1]) && (ch !== '_' || !isAlnum(s[i + n]))) return i;
      i += n;
    } else i++;
  }
  return -1;
}

export function parseInline(s: string): Inline[] {
  const out: Inline[] = [];
  let text = '';
  const pushText = (v: string) => {
    text += v;
  };
  const flush = () => {
    if (text) out.push({ t: 'text', v: text });
    text = '';
  };
  const noCloser = new Set<string>();
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === '\\') {
      const next = s[i + 1];
      if (next === '\n') {
        flush();
        out.push({ t: 'br' });
        i += 2;
      } else if (next !== undefined && ASCII_PUNCT.has(next)) {
        pushText(next);
        i += 2;
      } else {
        pushText(c);
        i++;
      }
    } else if (c === '`') {
      const n = runLength(s, i, '`');
      const close = noCloser.has(`\`${n}`) ? -1 : findCodeClose(s, i + n, n);
      if (close < 0) {
        noCloser.add(`\`${n}`);
        pushText('`'.repeat(n));
        i += n;
      } else {
        flush();
        out.push({ t: 'code', v: codeContent(s.slice(i + n, close)) });
        i = close + n;
      }
    } else if (c === '*' || c === '_') {
      const k = runLength(s, i, c);
      const leftFlank = !isSpace(s[i + k]) && (c !== '_' || !isAlnum(s[i - 1]));
      let done = false;
      if (leftFlank) {
        for (const d of k >= 2 ? [2, 1] : [1]) {
          if (d > k) continue;
          const key = `${c}${d}`;
          if (noCloser.has(key)) continue;
          const close = findEmphasisClose(s, i + k, c, d);
          if (close < 0) {
            noCloser.add(key);
            continue;
          }
          // The opener is the last d characters of the run; any extra characters before it are literal.
          pushText(c.repeat(k - d));
          flush();
          out.push({ t: d === 2 ? 'strong' : 'em', c: parseInline(s.slice(i + k, close)) });
          i = close + d;
          done = true;
          break;
        }
      }
      if (!done) {
        pushText(c.repeat(k));
        i += k;
      }
    } else if (c === ' ' && /^ {2,}\n/.test(s.slice(i, i + 64))) {
      const n = runLength(s, i, ' ');
      if (s[i + n] === '\n') {
        flush();
        out.push({ t: 'br' });
        i += n + 1;
      } else {
        pushText(c);
        i++;
      }
    } else if (c === ' ' && s[i + 1] === '\n') {
      i++; // a single trailing space before a soft break is dropped
    } else {
      pushText(c);
      i++;
    }
  }
  flush();
  return normalizeInlines(out);
}

/** Merges adjacent text, drops empty nodes, keeps emphasis edges free of whitespace and unwraps nesting. */
export function normalizeInlines(nodes: readonly Inline[], inside?: 'em' | 'strong'): Inline[] {
  const out: Inline[] = [];
  const push = (n: Inline) => {
    const last = out[out.length - 1];
    if (n.t === 'text') {
      if (!n.v) return;
      if (last?.t === 'text') last.v += n.v;
      else out.push({ t: 'text', v: n.v });
    } else if ((n.t === 'em' || n.t === 'strong') && last?.t === n.t) {
      last.c = normalizeInlines([...last.c, ...n.c], n.t);
    } else out.push(n);
  };
  for (const n of nodes) {
    if (n.t === 'em' || n.t === 'strong') {
      const inner = normalizeInlines(n.c, n.t);
      if (n.t === inside) {
        for (const x of inner) push(x);
        continue;
      }
      // move leading and trailing whitespace outside the emphasis
      let lead = '';
      let trail = '';
      const first = inner[0];
      if (first?.t === 'text') {
        const m = /^\s+/.exec(first.v);
        if (m) {
          lead = m[0];
          first.v = first.v.slice(lead.length);
          if (!first.v) inner.shift();
        }
      }
      const last = inner[inner.length - 1];
      if (last?.t === 'text') {
        const m = /\s+$/.exec(last.v);
        if (m) {
          trail = m[0];
          last.v = last.v.slice(0, -trail.length);
          if (!last.v) inner.pop();
        }
      }
      while (inner[0]?.t === 'br') inner.shift();
      while (inner[inner.length - 1]?.t === 'br') inner.pop();
      push({ t: 'text', v: lead });
      if (inner.length) push({ t: n.t, c: inner });
      push({ t: 'text', v: trail });
    } else if (n.t === 'code') {
      // adjacent code spans cannot be written apart (`a``b` is one span): they merge
      const last = out[out.length - 1];
      if (n.v && last?.t === 'code') out[out.length - 1] = { t: 'code', v: last.v + n.v };
      else if (n.v) push({ t: 'code', v: n.v });
    } else push(n.t === 'text' ? { t: 'text', v: n.v } : n);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Block parsing

const FENCE = /^( {0,3})(`{3,}|~{3,})(.*)$/;
const HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*$/;
const LIST_ITEM = /^( {0,3})([-*+]|(\d{1,9})([.)]))( +|$)/;

type Marker = {
  indent: number;
  ordered: boolean;
  ch: string;
  start: number;
  contentIndent: number;
  rest: string;
};

function listMarker(line: string): Marker | null {
  const m = LIST_ITEM.exec(line);
  if (!m) return null;
  const indent = m[1]!.length;
  const marker = m[2]!;
  const spaces = m[5]!.length;
  const rest = line.slice(m[0].length);
  const markerEnd = indent + marker.length;
  const contentIndent = rest === '' || spaces >= 5 ? markerEnd + 1 : markerEnd + spaces;
  const ordered = m[3] !== undefined;
  return {
    indent,
    ordered,
    ch: ordered ? m[4]! : marker,
    start: ordered ? Number(m[3]) : 1,
    contentIndent,
    rest: spaces >= 5 ? line.slice(markerEnd + 1) : rest,
  };
}

const isBlank = (l: string) => l.trim() === '';
const indentOf = (l: string) => l.length - l.trimStart().length;

/** Lines that end a paragraph when they follow it directly. */
/** A fence opening line (a backtick fence's info string cannot contain backticks). */
function fenceOf(line: string): RegExpExecArray | null {
  const m = FENCE.exec(line);
  return m && !(m[2]![0] === '`' && m[3]!.includes('`')) ? m : null;
}

function interruptsParagraph(line: string): boolean {
  if (fenceOf(line) || HEADING.test(line)) return true;
  const m = listMarker(line);
  return m !== null && m.rest.trim() !== '' && (!m.ordered || m.start === 1);
}

function parseBlockLines(lines: readonly string[]): { blocks: Block[]; gaps: boolean[] } {
  const blocks: Block[] = [];
  const gaps: boolean[] = [];
  let gap = false;
  let i = 0;
  const push = (b: Block) => {
    blocks.push(b);
    gaps.push(gap);
    gap = false;
  };
  while (i < lines.length) {
    const line = lines[i]!;
    if (isBlank(line)) {
      gap = true;
      i++;
      continue;
    }
    const fence = fenceOf(line);
    if (fence) {
      const indent = fence[1]!.length;
      const mark = fence[2]!;
      const lang = fence[3]!.trim().split(/\s+/)[0] ?? '';
      const body: string[] = [];
      i++;
      const closer = new RegExp(`^ {0,3}${mark[0] === '`' ? '`' : '~'}{${mark.length},}[ \\t]*$`);
      while (i < lines.length && !closer.test(lines[i]!)) {
        const l = lines[i]!;
        body.push(l.slice(Math.min(indent, indentOf(l))));
        i++;
      }
      i++; // closing fence (or end of input)
      push({ t: 'code', lang, v: body.join('\n') });
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      const text = (heading[2] ?? '').replace(/(?:^|[ \t]+)#+$/, '').trim();
      push({ t: 'h', level: heading[1]!.length, c: parseInline(text) });
      i++;
      continue;
    }
    const marker = listMarker(line);
    if (marker) {
      const { block, next } = parseList(lines, i, marker);
      push(block);
      i = next;
      continue;
    }
    const para: string[] = [line.trimStart()];
    i++;
    while (i < lines.length && !isBlank(lines[i]!) && !interruptsParagraph(lines[i]!)) {
      para.push(lines[i]!.trimStart());
      i++;
    }
    const inl = parseInline(para.join('\n').replace(/[ \t]+$/, ''));
    if (inl.length) push({ t: 'p', c: inl });
  }
  return { blocks, gaps };
}

function sameList(a: Marker, b: Marker): boolean {
  return a.ordered === b.ordered && a.ch === b.ch;
}

function parseList(lines: readonly string[], from: number, first: Marker): { block: Block; next: number } {
  const items: Block[][] = [];
  let loose = false;
  let i = from;
  let marker: Marker | null = first;
  while (marker && i < lines.length) {
    const itemLines: string[] = [marker.rest];
    i++;
    let inFence = fenceOf(marker.rest) !== null;
    while (i < lines.length) {
      const l = lines[i]!;
      if (isBlank(l)) {
        itemLines.push('');
        i++;
        continue;
      }
      if (indentOf(l) >= marker.contentIndent) {
        const content = l.slice(marker.contentIndent);
        if (FENCE.test(content)) inFence = !inFence;
        itemLines.push(content);
        i++;
        continue;
      }
      const prev = itemLines[itemLines.length - 1];
      if (!inFence && prev !== undefined && !isBlank(prev) && !interruptsParagraph(l) && !listMarker(l)) {
        itemLines.push(l.trimStart()); // lazy continuation of the item's paragraph
        i++;
        continue;
      }
      break;
    }
    let trailingBlank = false;
    while (itemLines.length > 1 && isBlank(itemLines[itemLines.length - 1]!)) {
      itemLines.pop();
      trailingBlank = true;
    }
    const { blocks, gaps } = parseBlockLines(itemLines);
    if (gaps.slice(1).some(Boolean)) loose = true;
    items.push(blocks);
    const nextMarker = i < lines.length ? listMarker(lines[i]!) : null;
    if (nextMarker && sameList(first, nextMarker) && nextMarker.indent < first.contentIndent) {
      if (trailingBlank) loose = true;
      marker = nextMarker;
    } else {
      if (trailingBlank) {
        // give the blank lines back so the caller sees the gap
        while (i > from && isBlank(lines[i - 1]!)) i--;
      }
      marker = null;
    }
  }
  return { block: { t: 'list', ordered: first.ordered, start: first.start, loose, items }, next: i };
}

export function parseMarkdown(src: string): Block[] {
  return parseBlockLines(src.replace(/\r\n?/g, '\n').split('\n')).blocks;
}

// ---------------------------------------------------------------------------------------------------------
// Canonical serialization (model → Markdown)

const sameInlines = (a: readonly Inline[], b: readonly Inline[]) =>
  JSON.stringify(normalizeInlines(a)) === JSON.stringify(normalizeInlines(b));

function escapeAllText(v: string): string {
  return v.replace(/[\\`*_]/g, (c) => `\\${c}`);
}

function codeSpan(v: string): string {
  let longest = 0;
  for (const m of v.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  const fence = '`'.repeat(longest + 1);
  const pad =
    v.startsWith('`') || v.endsWith('`') || (/^[ \n]/.test(v) && /[ \n]$/.test(v) && v.trim() !== '');
  return pad ? `${fence} ${v} ${fence}` : `${fence}${v}${fence}`;
}

/**
 * Text as Markdown. Always escaped, whatever the mode: `<` before a letter, `/`, `!` or `?` (raw HTML or an
 * autolink in other renderers), `]` before `(`, `[` or `:` (link syntax) and `&` starting a character
 * reference. So imported text can never become markup or a link, in Assay's renderer or any other.
 */
function textToMd(v: string, escapeAll: boolean): string {
  return (escapeAll ? escapeAllText(v) : v)
    .replace(/<(?=[A-Za-z/!?])/g, '\\<')
    .replace(/\](?=[([:])/g, '\\]')
    .replace(/&(?=#?[A-Za-z0-9]+;)/g, '\\&');
}

function inlinesToMd(nodes: readonly Inline[], escapeAll: boolean): string {
  let s = '';
  for (const n of nodes) {
    if (n.t === 'text') s += textToMd(n.v, escapeAll);
    else if (n.t === 'code') s += codeSpan(n.v);
    else if (n.t === 'em') s += `*${inlinesToMd(n.c, escapeAll)}*`;
    else if (n.t === 'strong') s += `**${inlinesToMd(n.c, escapeAll)}**`;
    else s += '\\\n';
  }
  return s;
}

/**
 * Escapes the start of any line that would otherwise begin a block: a heading, bullet or fence anywhere,
 * an ordered-list number on the first line (or `1.` on a later one, which interrupts a paragraph), and a
 * setext underline (`===`) on a later line.
 */
function escapeLineStarts(md: string): string {
  return md
    .split('\n')
    .map((line, k) => {
      if (/^(#{1,6})(\s|$)/.test(line) || /^[-*+](\s|$)/.test(line) || fenceOf(line)) return `\\${line}`;
      const ordered = /^(\d{1,9})([.)])(\s|$)/.exec(line);
      if (ordered && (k === 0 || Number(ordered[1]) === 1))
        return `${ordered[1]}\\${line.slice(ordered[1]!.length)}`;
      if (k > 0 && /^=+\s*$/.test(line)) return `\\${line}`;
      return line;
    })
    .join('\n');
}

function flattenInlines(nodes: readonly Inline[]): Inline[] {
  return nodes.flatMap((n): Inline[] => (n.t === 'em' || n.t === 'strong' ? flattenInlines(n.c) : [n]));
}

/**
 * Inline Markdown that parses back to `nodes`: plain if possible, else with every special character
 * escaped, else without emphasis. `heading` writes one line whose start needs no block escape.
 */
export function inlineMarkdown(nodes: readonly Inline[], heading = false): string {
  const want = tidyInlines(normalizeInlines(nodes));
  const flat = tidyInlines(normalizeInlines(flattenInlines(want)));
  const candidates: Array<[Inline[], boolean]> = [
    [want, false],
    [want, true],
    [flat, true],
    [flat.map((n): Inline => (n.t === 'code' ? { t: 'code', v: n.v.replace(/\n/g, ' ') } : n)), true],
  ];
  let md = '';
  for (const [model, escapeAll] of candidates) {
    md = inlinesToMd(model, escapeAll);
    if (heading) {
      if (/(^|\s)#+$/.test(md)) md = `${md.slice(0, -1)}\\#`;
    } else md = escapeLineStarts(md);
    if (sameInlines(parseInline(md), model)) return md;
  }
  return md;
}

/**
 * Whitespace as a paragraph holds it: no leading or trailing whitespace, no spaces around line breaks,
 * single newlines only (a blank line would end the paragraph).
 */
export function tidyInlines(nodes: readonly Inline[]): Inline[] {
  const tidyText = (v: string) => v.replace(/[ \t]*\n\s*/g, '\n');
  const level = (ns: readonly Inline[], top: boolean): Inline[] => {
    const out = normalizeInlines(
      normalizeInlines(ns).map((n): Inline => {
        if (n.t === 'text') return { t: 'text', v: tidyText(n.v) };
        if (n.t === 'em' || n.t === 'strong') return { t: n.t, c: level(n.c, false) };
        return n;
      }),
    );
    for (let k = 0; k < out.length; k++) {
      const n = out[k]!;
      if (n.t !== 'text') continue;
      if ((top && k === 0) || out[k - 1]?.t === 'br') n.v = n.v.replace(/^\s+/, '');
      if ((top && k === out.length - 1) || out[k + 1]?.t === 'br') n.v = n.v.replace(/\s+$/, '');
    }
    const result = normalizeInlines(out);
    if (top) {
      while (result[0]?.t === 'br') result.shift();
      while (result[result.length - 1]?.t === 'br') result.pop();
    }
    return result;
  };
  return level(nodes, true);
}

function codeFence(v: string, lang: string): string {
  let longest = 2;
  for (const m of v.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  const fence = '`'.repeat(longest + 1);
  return `${fence}${lang}\n${v}\n${fence}`;
}

const indentLines = (s: string, n: number) =>
  s
    .split('\n')
    .map((l, i) => (i === 0 || l === '' ? l : ' '.repeat(n) + l))
    .join('\n');

function blocksToMd(blocks: readonly Block[], joiner = '\n\n'): string {
  const parts: string[] = [];
  let prevList: { ordered: boolean; alt: boolean } | null = null;
  for (const b of blocks) {
    if (b.t === 'list') {
      // two lists of the same kind in a row would merge: alternate the marker character
      const alt: boolean = prevList !== null && prevList.ordered === b.ordered && !prevList.alt;
      const md = listToMd(b, alt);
      if (md) {
        parts.push(md);
        prevList = { ordered: b.ordered, alt };
      }
      continue;
    }
    let md = '';
    if (b.t === 'p') md = inlineMarkdown(b.c);
    else if (b.t === 'h') {
      const inner = inlineMarkdown(singleLine(b.c), true);
      if (inner) md = `${'#'.repeat(b.level)} ${inner}`;
    } else md = codeFence(b.v, b.lang);
    // An empty block writes nothing, so it does not separate the lists around it either.
    if (md) {
      parts.push(md);
      prevList = null;
    }
  }
  return parts.join(joiner);
}

function singleLine(nodes: readonly Inline[]): Inline[] {
  return nodes.map((n): Inline => {
    if (n.t === 'text') return { t: 'text', v: n.v.replace(/\s*\n\s*/g, ' ') };
    if (n.t === 'em' || n.t === 'strong') return { t: n.t, c: singleLine(n.c) };
    if (n.t === 'br') return { t: 'text', v: ' ' };
    return n;
  });
}

function itemIsLoose(items: readonly Block[][]): boolean {
  // A tight item cannot hold a paragraph right after a paragraph or a list (it would merge into it as a
  // continuation line), so such a list is written loose.
  return items.some((item) =>
    item.some((b, i) => b.t === 'p' && (item[i - 1]?.t === 'p' || item[i - 1]?.t === 'list')),
  );
}

function listToMd(list: Extract<Block, { t: 'list' }>, alt: boolean): string {
  const loose = list.loose || itemIsLoose(list.items);
  const bodies = list.items.map((item) => blocksToMd(item, loose ? '\n\n' : '\n')).filter(Boolean);
  return bodies
    .map((body, k) => {
      const marker = list.ordered ? `${list.start + k}${alt ? ')' : '.'} ` : alt ? '* ' : '- ';
      return marker + indentLines(body, marker.length);
    })
    .join(loose ? '\n\n' : '\n');
}

/** Canonical Markdown for a model. */
export function serializeMarkdown(blocks: readonly Block[]): string {
  return blocksToMd(blocks);
}

// ---------------------------------------------------------------------------------------------------------
// Rendering (model → XHTML elements). Text is always text: no raw HTML passes through.

function renderInlines(nodes: readonly Inline[]): XNode[] {
  return nodes.map((n): XNode => {
    if (n.t === 'text') return n.v;
    if (n.t === 'code') return h('code', {}, n.v);
    if (n.t === 'em') return h('em', {}, renderInlines(n.c));
    if (n.t === 'strong') return h('strong', {}, renderInlines(n.c));
    return h('br');
  });
}

export type RenderOptions = {
  /** Write `start` on ordered lists that do not start at 1 (HTML; QTI 2.1's XHTML has no such attribute). */
  olStart?: boolean;
};

export function renderBlocks(blocks: readonly Block[], opts: RenderOptions = {}): XElement[] {
  return blocks.map((b): XElement => {
    let el: XElement;
    if (b.t === 'p') el = h('p', {}, renderInlines(b.c));
    else if (b.t === 'h') el = h(`h${b.level}`, {}, renderInlines(singleLine(b.c)));
    else if (b.t === 'code')
      el = h(
        'pre',
        {},
        h('code', b.lang ? { class: `language-${b.lang}` } : {}, b.v === '' ? '' : `${b.v}\n`),
      );
    else {
      const loose = b.loose || itemIsLoose(b.items);
      const attrs = b.ordered && b.start !== 1 && opts.olStart ? { start: String(b.start) } : {};
      el = h(
        b.ordered ? 'ol' : 'ul',
        attrs,
        b.items.map((item) =>
          h(
            'li',
            {},
            loose
              ? renderBlocks(item, opts)
              : item.flatMap((x) => (x.t === 'p' ? renderInlines(x.c) : renderBlocks([x], opts))),
          ),
        ),
      );
    }
    el.compact = true;
    return el;
  });
}

/**
 * Markdown → XHTML. With `inlineSingleParagraph`, a text that is one paragraph renders as inline content
 * (for option texts and list-like slots); anything else renders as blocks.
 */
export function markdownToXhtml(
  md: string,
  opts: RenderOptions & { inlineSingleParagraph?: boolean } = {},
): XNode[] {
  const blocks = parseMarkdown(md);
  const only = blocks[0];
  if (opts.inlineSingleParagraph && blocks.length === 1 && only?.t === 'p') return renderInlines(only.c);
  return renderBlocks(blocks, opts);
}

/** Plain text of Markdown (for titles and previews). */
export function markdownPlainText(md: string): string {
  const inl = (nodes: readonly Inline[]): string =>
    nodes.map((n) => (n.t === 'text' || n.t === 'code' ? n.v : n.t === 'br' ? ' ' : inl(n.c))).join('');
  const blk = (bs: readonly Block[]): string[] =>
    bs.flatMap((b) => (b.t === 'list' ? b.items.flatMap(blk) : [b.t === 'code' ? b.v : inl(b.c)]));
  return blk(parseMarkdown(md)).join(' ').replace(/\s+/g, ' ').trim();
}
