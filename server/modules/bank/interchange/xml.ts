// A minimal element tree used both for XML we write and for XML/HTML we read, with a serializer and a few
// namespace-agnostic lookups. Writing goes through `serializeXml`, which escapes every text and attribute.

export type XNode = XElement | string;
export type XElement = {
  name: string;
  attrs: Record<string, string>;
  children: XNode[];
  /** Serialize this subtree without added whitespace (mixed content such as XHTML). */
  compact?: boolean;
};

type Child = XNode | null | undefined | false | readonly Child[];

/** Builds an element: `h('p', { class: 'x' }, 'text', h('em', {}, 'more'))`. Falsy children are skipped. */
export function h(
  name: string,
  attrs: Record<string, string | undefined> = {},
  ...children: Child[]
): XElement {
  const a: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) a[k] = v;
  const kids: XNode[] = [];
  const add = (c: Child) => {
    if (c === null || c === undefined || c === false) return;
    if (Array.isArray(c)) for (const x of c as readonly Child[]) add(x);
    else kids.push(c as XNode);
  };
  for (const c of children) add(c);
  return { name, attrs: a, children: kids };
}

export const isElement = (n: XNode | undefined): n is XElement => typeof n === 'object' && n !== null;

/** The part of a qualified name after the prefix: `imsmd:lom` → `lom`. */
export const localName = (name: string): string => name.slice(name.indexOf(':') + 1);

/** Child elements with this local name (namespace prefixes ignored). */
export function kids(el: XElement | undefined, local: string): XElement[] {
  if (!el) return [];
  return el.children.filter((c): c is XElement => isElement(c) && localName(c.name) === local);
}

export function kid(el: XElement | undefined, local: string): XElement | undefined {
  return kids(el, local)[0];
}

/** Depth-first search for descendants with one of these local names (not descending into matches). */
export function findAll(el: XElement | undefined, test: (e: XElement) => boolean): XElement[] {
  const out: XElement[] = [];
  const walk = (e: XElement) => {
    for (const c of e.children) {
      if (!isElement(c)) continue;
      if (test(c)) out.push(c);
      else walk(c);
    }
  };
  if (el) walk(el);
  return out;
}

export function attr(el: XElement | undefined, name: string): string | undefined {
  if (!el) return undefined;
  if (name in el.attrs) return el.attrs[name];
  for (const [k, v] of Object.entries(el.attrs)) if (localName(k) === name) return v;
  return undefined;
}

/** All descendant text, concatenated. */
export function textOf(n: XNode | undefined): string {
  if (n === undefined) return '';
  if (typeof n === 'string') return n;
  let s = '';
  for (const c of n.children) s += textOf(c);
  return s;
}

export function hasClass(el: XElement, cls: string): boolean {
  return (attr(el, 'class') ?? '').split(/\s+/).includes(cls);
}

// XML 1.0 cannot carry most C0 controls or lone surrogates; they are removed on the way out.
const INVALID_XML_CHARS =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters XML 1.0 forbids
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function escapeText(s: string): string {
  return s.replace(INVALID_XML_CHARS, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function escapeAttr(s: string): string {
  return escapeText(s)
    .replace(/"/g, '&quot;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}

function openTag(el: XElement, selfClose: boolean): string {
  let s = `<${el.name}`;
  for (const [k, v] of Object.entries(el.attrs)) s += ` ${k}="${escapeAttr(v)}"`;
  return s + (selfClose ? '/>' : '>');
}

const HTML_VOID = new Set([
  'br',
  'hr',
  'img',
  'input',
  'meta',
  'link',
  'col',
  'area',
  'base',
  'embed',
  'source',
  'wbr',
]);

function serializeCompact(n: XNode, html = false): string {
  if (typeof n === 'string') return escapeText(n);
  if (n.children.length === 0 && (!html || HTML_VOID.has(n.name))) return openTag(n, true);
  return `${openTag(n, false)}${n.children.map((c) => serializeCompact(c, html)).join('')}</${n.name}>`;
}

/** Inline XHTML: an element holding one of these holds mixed content and gets no added whitespace. */
const INLINE = new Set([
  'code',
  'em',
  'strong',
  'b',
  'i',
  'br',
  'span',
  'a',
  'sub',
  'sup',
  'kbd',
  'samp',
  'var',
]);

function serializePretty(n: XElement, indent: string): string {
  const mixed = n.compact || n.children.some((c) => typeof c === 'string' || INLINE.has(c.name));
  if (mixed || n.children.length === 0) return indent + serializeCompact(n);
  const inner = n.children.map((c) => serializePretty(c as XElement, `${indent}  `)).join('\n');
  return `${indent}${openTag(n, false)}\n${inner}\n${indent}</${n.name}>`;
}

/** Serializes a document: indentation only between elements that hold no text, so mixed content is exact. */
export function serializeXml(root: XElement, declaration = true): string {
  return `${declaration ? '<?xml version="1.0" encoding="UTF-8"?>\n' : ''}${serializePretty(root, '')}\n`;
}

/** Serializes a list of nodes as an HTML fragment (used for Moodle XML, which carries HTML as text). */
export function serializeFragment(nodes: readonly XNode[]): string {
  return nodes.map((n) => serializeCompact(n, true)).join('');
}
