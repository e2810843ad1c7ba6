// Imported HTML (Moodle question text, GIFT [html], QTI's XHTML) becomes Markdown text here. Only text
// structure survives: paragraphs, line breaks, headings, lists, preformatted code, emphasis, strong and
// inline code. Every other element is unwrapped to its text, and script, style, iframe, object, media,
// forms and similar are dropped with their content. No attribute is ever carried over, so on* handlers,
// javascript: URLs and styles cannot survive; the Markdown serializer escapes anything that a Markdown
// renderer could read as raw HTML or as a link (`<tag`, `](`), and Assay's renderer never renders raw
// HTML anyway.
import { type Block, type Inline, normalizeInlines, serializeMarkdown, tidyInlines } from './markdown.js';
import { attr, isElement, localName, type XElement, type XNode } from './xml.js';
import { codePoint, limits } from './xml-safety.js';

const NAMED: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
  shy: '\u00ad',
  ensp: '\u2002',
  emsp: '\u2003',
  thinsp: '\u2009',
  zwsp: '\u200b',
  copy: '©',
  reg: '®',
  trade: '™',
  hellip: '…',
  mdash: '—',
  ndash: '–',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  sbquo: '‚',
  bdquo: '„',
  laquo: '«',
  raquo: '»',
  bull: '•',
  middot: '·',
  times: '×',
  divide: '÷',
  deg: '°',
  plusmn: '±',
  micro: 'µ',
  para: '¶',
  sect: '§',
  euro: '€',
  pound: '£',
  yen: '¥',
  cent: '¢',
  larr: '←',
  rarr: '→',
  uarr: '↑',
  darr: '↓',
  harr: '↔',
  lArr: '⇐',
  rArr: '⇒',
  hArr: '⇔',
  le: '≤',
  ge: '≥',
  ne: '≠',
  asymp: '≈',
  infin: '∞',
  minus: '−',
  lowast: '∗',
  radic: '√',
  sum: '∑',
  prod: '∏',
  part: '∂',
  forall: '∀',
  exist: '∃',
  isin: '∈',
  notin: '∉',
  and: '∧',
  or: '∨',
  not: '¬',
  cap: '∩',
  cup: '∪',
  sub: '⊂',
  sup: '⊃',
  empty: '∅',
  alpha: 'α',
  beta: 'β',
  gamma: 'γ',
  delta: 'δ',
  epsilon: 'ε',
  lambda: 'λ',
  mu: 'μ',
  pi: 'π',
  sigma: 'σ',
  tau: 'τ',
  phi: 'φ',
  omega: 'ω',
  Delta: 'Δ',
  Sigma: 'Σ',
  Omega: 'Ω',
  frac12: '½',
  frac14: '¼',
  frac34: '¾',
  sup2: '²',
  sup3: '³',
  iexcl: '¡',
  iquest: '¿',
  dagger: '†',
  Dagger: '‡',
  permil: '‰',
  prime: '′',
  Prime: '″',
  check: '✓',
};

/** Decodes HTML character references: numeric ones and a table of common named ones. Unknown names stay literal. */
export function decodeHtmlEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(
    /&(#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|[A-Za-z][A-Za-z0-9]{1,31});/g,
    (whole, ref: string) => {
      if (ref[0] === '#') {
        const cp =
          ref[1] === 'x' || ref[1] === 'X'
            ? Number.parseInt(ref.slice(2), 16)
            : Number.parseInt(ref.slice(1), 10);
        return codePoint(cp);
      }
      return NAMED[ref] ?? whole;
    },
  );
}

// ---------------------------------------------------------------------------------------------------------
// A lenient HTML tokenizer/tree builder. It never executes or fetches anything; it only has to be good
// enough to find text structure in editor-produced HTML, and linear on hostile input.

const VOID = new Set([
  'area',
  'base',
  'br',
  'col',
  'embed',
  'hr',
  'img',
  'input',
  'link',
  'meta',
  'param',
  'source',
  'track',
  'wbr',
]);
const RAW_TEXT = new Set([
  'script',
  'style',
  'textarea',
  'title',
  'xmp',
  'iframe',
  'noembed',
  'noframes',
  'noscript',
  'template',
]);
const CLOSES_P = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'details',
  'div',
  'dl',
  'fieldset',
  'figcaption',
  'figure',
  'footer',
  'form',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hr',
  'main',
  'nav',
  'ol',
  'p',
  'pre',
  'section',
  'table',
  'ul',
]);

export function parseHtml(html: string): XNode[] {
  const root: XElement = { name: '#root', attrs: {}, children: [] };
  const stack: XElement[] = [root];
  const top = () => stack[stack.length - 1]!;
  const text = (t: string) => {
    if (t) top().children.push(decodeHtmlEntities(t));
  };
  const open = (el: XElement, selfClosing: boolean) => {
    const name = el.name;
    if (CLOSES_P.has(name) && top().name === 'p') stack.pop();
    if (name === 'li') {
      const li = stack.findLastIndex((e) => e.name === 'li');
      const list = stack.findLastIndex((e) => e.name === 'ul' || e.name === 'ol');
      if (li > list && li > 0) stack.length = li;
    }
    top().children.push(el);
    // Beyond the depth limit, elements are kept flat: their content goes to the current element.
    if (!selfClosing && !VOID.has(name) && stack.length < limits.maxDepth) stack.push(el);
  };
  const close = (name: string) => {
    const at = stack.findLastIndex((e) => e.name === name);
    if (at > 0) stack.length = at;
  };

  const tagRe = /<([A-Za-z][A-Za-z0-9:_-]*)/y;
  const attrRe = /\s*([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?|\s*\/?/y;
  const closeRe = /<\/([A-Za-z][A-Za-z0-9:_-]*)[^>]*>/y;
  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    if (lt < 0) {
      text(html.slice(i));
      break;
    }
    text(html.slice(i, lt));
    i = lt;
    if (html.startsWith('<!--', i)) {
      const end = html.indexOf('-->', i + 4);
      i = end < 0 ? html.length : end + 3;
      continue;
    }
    if (html.startsWith('<![CDATA[', i)) {
      const end = html.indexOf(']]>', i + 9);
      top().children.push(html.slice(i + 9, end < 0 ? html.length : end));
      i = end < 0 ? html.length : end + 3;
      continue;
    }
    if (html[i + 1] === '!' || html[i + 1] === '?') {
      const end = html.indexOf('>', i);
      i = end < 0 ? html.length : end + 1;
      continue;
    }
    closeRe.lastIndex = i;
    const closeMatch = closeRe.exec(html);
    if (closeMatch) {
      close(localName(closeMatch[1]!).toLowerCase());
      i = closeRe.lastIndex;
      continue;
    }
    tagRe.lastIndex = i;
    const tagMatch = tagRe.exec(html);
    if (!tagMatch) {
      text('<');
      i++;
      continue;
    }
    const name = localName(tagMatch[1]!).toLowerCase();
    const attrs: Record<string, string> = {};
    let j = tagRe.lastIndex;
    let selfClosing = false;
    let ended = false;
    while (j < html.length) {
      if (html[j] === '>') {
        ended = true;
        j++;
        break;
      }
      if (html.startsWith('/>', j)) {
        ended = true;
        selfClosing = true;
        j += 2;
        break;
      }
      attrRe.lastIndex = j;
      const m = attrRe.exec(html);
      if (!m || attrRe.lastIndex === j) {
        j++;
        continue;
      }
      if (m[1]) attrs[m[1].toLowerCase()] = decodeHtmlEntities(m[2] ?? m[3] ?? m[4] ?? '');
      j = attrRe.lastIndex;
    }
    if (!ended) {
      text(html.slice(i));
      break;
    }
    const el: XElement = { name, attrs, children: [] };
    if (RAW_TEXT.has(name) && !selfClosing) {
      // Raw-text elements end only at their own closing tag; their content is never markup.
      const endRe = new RegExp(`</${name}\\s*>`, 'ig');
      endRe.lastIndex = j;
      const end = endRe.exec(html);
      const body = html.slice(j, end ? end.index : html.length);
      if (name === 'textarea' || name === 'title') el.children.push(decodeHtmlEntities(body));
      top().children.push(el);
      i = end ? endRe.lastIndex : html.length;
      continue;
    }
    open(el, selfClosing);
    i = j;
  }
  return root.children;
}

// ---------------------------------------------------------------------------------------------------------
// HTML tree → Markdown model

/** Elements dropped together with everything inside them. */
const DROP = new Set([
  'script',
  'style',
  'iframe',
  'frame',
  'frameset',
  'object',
  'embed',
  'applet',
  'noscript',
  'template',
  'svg',
  'math',
  'canvas',
  'audio',
  'video',
  'source',
  'track',
  'img',
  'picture',
  'map',
  'area',
  'head',
  'title',
  'meta',
  'link',
  'base',
  'form',
  'input',
  'button',
  'select',
  'option',
  'optgroup',
  'textarea',
  'datalist',
  'output',
  'dialog',
  'portal',
  'param',
  'xml',
]);

/** Elements that hold blocks: their content is converted as blocks and they leave no trace themselves. */
const CONTAINERS = new Set([
  'p',
  'div',
  'section',
  'article',
  'main',
  'header',
  'footer',
  'aside',
  'nav',
  'blockquote',
  'figure',
  'figcaption',
  'center',
  'address',
  'details',
  'summary',
  'fieldset',
  'legend',
  'dl',
  'dt',
  'dd',
  'li',
  'body',
  'html',
  'caption',
  'hgroup',
  'search',
]);

const HEADINGS: Record<string, number> = { h1: 1, h2: 2, h3: 3, h4: 4, h5: 5, h6: 6 };
const CODE = new Set(['code', 'kbd', 'samp', 'tt', 'var']);
const EM = new Set(['em', 'i', 'cite', 'dfn']);
const STRONG = new Set(['strong', 'b']);

export type HtmlToMarkdownOptions = {
  /** Elements to leave out entirely (QTI interactions, rubric blocks, feedback). */
  skip?: (el: XElement) => boolean;
};

const nameOf = (el: XElement) => localName(el.name).toLowerCase();

function toInlines(nodes: readonly XNode[], opts: HtmlToMarkdownOptions): Inline[] {
  const out: Inline[] = [];
  for (const n of nodes) {
    if (!isElement(n)) {
      out.push({ t: 'text', v: n });
      continue;
    }
    const name = nameOf(n);
    if (DROP.has(name) || opts.skip?.(n)) continue;
    if (name === 'br') out.push({ t: 'br' });
    else if (CODE.has(name)) {
      const v = plainText(n, opts).replace(/[ \t\r]*\n\s*/g, '\n');
      if (v) out.push({ t: 'code', v });
    } else if (EM.has(name)) out.push({ t: 'em', c: toInlines(n.children, opts) });
    else if (STRONG.has(name)) out.push({ t: 'strong', c: toInlines(n.children, opts) });
    else if (name === 'td' || name === 'th')
      out.push({ t: 'text', v: ' ' }, ...toInlines(n.children, opts), { t: 'text', v: ' ' });
    else out.push(...toInlines(n.children, opts));
  }
  return out;
}

/** Text of an element with <br> as a newline and dropped elements left out (for <pre> and code). */
function plainText(n: XNode, opts: HtmlToMarkdownOptions): string {
  if (!isElement(n)) return n;
  const name = nameOf(n);
  if (DROP.has(name) || opts.skip?.(n)) return '';
  if (name === 'br') return '\n';
  return n.children.map((c) => plainText(c, opts)).join('');
}

/** Collapses HTML whitespace: a run that holds a newline becomes one newline, any other run one space. */
function collapseWhitespace(nodes: readonly Inline[]): Inline[] {
  return nodes.map((n): Inline => {
    if (n.t === 'text')
      return { t: 'text', v: n.v.replace(/[ \t\r\n\f]+/g, (ws) => (ws.includes('\n') ? '\n' : ' ')) };
    if (n.t === 'em' || n.t === 'strong') return { t: n.t, c: collapseWhitespace(n.c) };
    return n;
  });
}

function paragraph(inl: readonly Inline[]): Inline[] {
  return tidyInlines(normalizeInlines(collapseWhitespace(normalizeInlines(inl))));
}

function codeLanguage(...els: Array<XElement | undefined>): string {
  for (const el of els) {
    const m = /(?:^|\s)(?:language|lang)-([A-Za-z0-9_+#.-]{1,30})(?:\s|$)/.exec(attr(el, 'class') ?? '');
    if (m) return m[1]!;
  }
  return '';
}

function listBlock(el: XElement, opts: HtmlToMarkdownOptions): Block | null {
  const items: Block[][] = [];
  let loose = false;
  let stray: XNode[] = [];
  const addItem = (children: readonly XNode[]) => {
    const blocks = toBlocks(children, opts);
    if (blocks.length) items.push(blocks);
    if (children.some((c) => isElement(c) && nameOf(c) === 'p')) loose = true;
  };
  for (const c of el.children) {
    if (isElement(c) && nameOf(c) === 'li') {
      if (stray.length) addItem(stray);
      stray = [];
      addItem(c.children);
    } else if (isElement(c) && (DROP.has(nameOf(c)) || opts.skip?.(c))) {
      // dropped
    } else stray.push(c);
  }
  if (stray.length) addItem(stray);
  if (!items.length) return null;
  const ordered = nameOf(el) === 'ol';
  const startAttr = Number.parseInt(attr(el, 'start') ?? '1', 10);
  const start = ordered && Number.isInteger(startAttr) && startAttr >= 0 && startAttr < 1e9 ? startAttr : 1;
  return { t: 'list', ordered, start, loose, items };
}

export function toBlocks(nodes: readonly XNode[], opts: HtmlToMarkdownOptions = {}): Block[] {
  const out: Block[] = [];
  let pending: XNode[] = [];
  const flush = () => {
    if (!pending.length) return;
    const inl = paragraph(toInlines(pending, opts));
    pending = [];
    if (inl.length) out.push({ t: 'p', c: inl });
  };
  for (const n of nodes) {
    if (!isElement(n)) {
      pending.push(n);
      continue;
    }
    const name = nameOf(n);
    if (DROP.has(name) || opts.skip?.(n)) continue;
    const level = HEADINGS[name];
    if (level !== undefined) {
      flush();
      const inl = paragraph(toInlines(n.children, opts));
      if (inl.length) out.push({ t: 'h', level, c: inl });
    } else if (name === 'pre') {
      flush();
      let v = plainText(n, opts);
      if (v.startsWith('\n') && !isElement(n.children[0])) v = v.slice(1);
      if (v.endsWith('\n')) v = v.slice(0, -1);
      const firstEl = n.children.find(isElement);
      if (v.trim()) out.push({ t: 'code', lang: codeLanguage(n, firstEl), v });
    } else if (name === 'ul' || name === 'ol') {
      flush();
      const list = listBlock(n, opts);
      if (list) out.push(list);
    } else if (name === 'table' || name === 'thead' || name === 'tbody' || name === 'tfoot') {
      flush();
      out.push(...toBlocks(n.children, opts));
    } else if (name === 'tr') {
      flush();
      pending = [...n.children];
      flush();
    } else if (name === 'hr') {
      flush();
    } else if (CONTAINERS.has(name) || /^qti-/.test(name) || name === 'itembody' || name === 'prompt') {
      flush();
      out.push(...toBlocks(n.children, opts));
    } else pending.push(n);
  }
  flush();
  return out;
}

/** Converts parsed (X)HTML nodes to canonical Markdown. */
export function nodesToMarkdown(nodes: readonly XNode[], opts: HtmlToMarkdownOptions = {}): string {
  return serializeMarkdown(toBlocks(nodes, opts));
}

/** Converts an HTML string (untrusted) to canonical Markdown, keeping only text structure. */
export function htmlToMarkdown(html: string, opts: HtmlToMarkdownOptions = {}): string {
  return nodesToMarkdown(parseHtml(html), opts);
}
