// The one renderer for Markdown that comes from the server (question stems, options, intros, prompts).
// It builds React elements from a small subset: paragraphs, headings, fenced code, inline code,
// emphasis, strong, lists and http(s) links. Raw HTML is never interpreted: it shows as text.
import { Typography } from '@mantine/core';
import { Fragment, type ReactNode } from 'react';

type Block =
  | { kind: 'paragraph'; text: string }
  | { kind: 'heading'; level: number; text: string }
  | { kind: 'code'; lang: string; text: string }
  | { kind: 'list'; ordered: boolean; items: string[] };

const FENCE = /^\s{0,3}(`{3,}|~{3,})\s*([\w+-]*)/;
const BULLET = /^\s{0,3}[-*+]\s+(.*)$/;
const NUMBERED = /^\s{0,3}\d{1,9}[.)]\s+(.*)$/;
const HEADING = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;

function parseBlocks(source: string): Block[] {
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] ?? '';
    if (!line.trim()) {
      i++;
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      const marker = fence[1] ?? '```';
      const body: string[] = [];
      i++;
      while (i < lines.length && !(lines[i] ?? '').trimStart().startsWith(marker)) {
        body.push(lines[i] ?? '');
        i++;
      }
      i++; // the closing fence, if any
      blocks.push({ kind: 'code', lang: fence[2] ?? '', text: body.join('\n') });
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      blocks.push({ kind: 'heading', level: heading[1]?.length ?? 1, text: heading[2] ?? '' });
      i++;
      continue;
    }
    const bullet = BULLET.exec(line);
    const numbered = bullet ? null : NUMBERED.exec(line);
    if (bullet || numbered) {
      const ordered = numbered !== null;
      const pattern = ordered ? NUMBERED : BULLET;
      const items: string[] = [];
      while (i < lines.length) {
        const current = lines[i] ?? '';
        const item = pattern.exec(current);
        if (item) items.push(item[1] ?? '');
        else if (current.trim() && /^\s+/.test(current) && items.length > 0) {
          // An indented continuation line belongs to the item above.
          items[items.length - 1] += ` ${current.trim()}`;
        } else break;
        i++;
      }
      blocks.push({ kind: 'list', ordered, items });
      continue;
    }
    const para: string[] = [];
    while (i < lines.length) {
      const current = lines[i] ?? '';
      if (!current.trim() || FENCE.test(current) || HEADING.test(current)) break;
      if (para.length > 0 && (BULLET.test(current) || NUMBERED.test(current))) break;
      para.push(current.trim());
      i++;
    }
    blocks.push({ kind: 'paragraph', text: para.join('\n') });
  }
  return blocks;
}

function safeHref(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
  } catch {
    return null;
  }
}

// Earliest match wins; at the same position the order below decides.
const INLINE: Array<{ kind: 'code' | 'link' | 'strong' | 'em'; re: RegExp }> = [
  { kind: 'code', re: /(`+)([\s\S]*?[^`])\1(?!`)/ },
  { kind: 'link', re: /\[([^\]\n]+)\]\(\s*(\S+?)\s*\)/ },
  { kind: 'strong', re: /\*\*(?=\S)([\s\S]*?\S)\*\*|__(?=\S)([\s\S]*?\S)__/ },
  { kind: 'em', re: /\*(?=\S)([^*]*?\S)\*|(?<![\w])_(?=\S)([^_]*?\S)_(?![\w])/ },
];

function renderInline(text: string, keyPrefix = 'i'): ReactNode[] {
  const out: ReactNode[] = [];
  let rest = text;
  let n = 0;
  while (rest.length > 0) {
    let best: { kind: (typeof INLINE)[number]['kind']; match: RegExpExecArray } | null = null;
    for (const { kind, re } of INLINE) {
      const match = re.exec(rest);
      if (match && (best === null || match.index < best.match.index)) best = { kind, match };
    }
    if (!best) {
      out.push(withBreaks(rest, `${keyPrefix}-${n++}`));
      break;
    }
    const { kind, match } = best;
    if (match.index > 0) out.push(withBreaks(rest.slice(0, match.index), `${keyPrefix}-${n++}`));
    const key = `${keyPrefix}-${n++}`;
    if (kind === 'code') {
      out.push(<code key={key}>{(match[2] ?? '').trim() || match[2]}</code>);
    } else if (kind === 'link') {
      const href = safeHref(match[2] ?? '');
      const label = renderInline(match[1] ?? '', key);
      out.push(
        href ? (
          <a key={key} href={href} target="_blank" rel="noopener noreferrer">
            {label}
          </a>
        ) : (
          <Fragment key={key}>{label}</Fragment>
        ),
      );
    } else if (kind === 'strong') {
      out.push(<strong key={key}>{renderInline(match[1] ?? match[2] ?? '', key)}</strong>);
    } else {
      out.push(<em key={key}>{renderInline(match[1] ?? match[2] ?? '', key)}</em>);
    }
    rest = rest.slice(match.index + match[0].length);
  }
  return out;
}

/**
 * Text with its line breaks read the Markdown way: content files wrap long paragraphs, so a single
 * newline is a space; a line that ends with a backslash is a hard break.
 */
function withBreaks(text: string, key: string): ReactNode {
  const parts = text.split(/\\\n/);
  return (
    <Fragment key={key}>
      {parts.map((part, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: the parts never reorder
        <Fragment key={i}>
          {i > 0 && <br />}
          {part.replace(/\n/g, ' ')}
        </Fragment>
      ))}
    </Fragment>
  );
}

function renderBlock(block: Block, key: number, headingOffset: number): ReactNode {
  switch (block.kind) {
    case 'code':
      return (
        // Long lines scroll sideways: the block takes focus so a keyboard can scroll it too.
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be focusable
        <pre key={key} tabIndex={0}>
          <code data-lang={block.lang || undefined}>{block.text}</code>
        </pre>
      );
    case 'heading': {
      const level = Math.min(6, block.level + headingOffset);
      const Tag = `h${level}` as 'h2';
      return <Tag key={key}>{renderInline(block.text)}</Tag>;
    }
    case 'list': {
      const Tag = block.ordered ? 'ol' : 'ul';
      return (
        <Tag key={key}>
          {block.items.map((item, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: items are positional
            <li key={i}>{renderInline(item)}</li>
          ))}
        </Tag>
      );
    }
    default:
      return <p key={key}>{renderInline(block.text)}</p>;
  }
}

/**
 * Markdown from the server, rendered safely. `headingOffset` pushes "# Title" down the outline so
 * content never competes with the page's own h1 (the default makes "#" an h3).
 */
export function Markdown({
  children,
  headingOffset = 2,
  className,
}: {
  children: string;
  headingOffset?: number;
  className?: string;
}) {
  return (
    <Typography className={className}>
      {parseBlocks(children).map((block, i) => renderBlock(block, i, headingOffset))}
    </Typography>
  );
}
