import { strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { importGift } from './gift.js';
import { htmlToMarkdown } from './html-to-markdown.js';
import { ImportError, UnsafeImportError } from './interchange.types.js';
import { markdownToXhtml } from './markdown.js';
import { importMoodleXml } from './moodle-xml.js';
import { exportQti, importQti } from './qti.js';
import { fixtureItems, singleQuestion } from './test-fixtures.js';
import { serializeFragment } from './xml.js';
import { limits, openZipSafely, parseXmlSafely } from './xml-safety.js';

const MB = 1024 * 1024;

/** A QTI package whose manifest lists the given item files (contents as given). */
function packageWith(files: Record<string, Uint8Array>, level: 0 | 9 = 9): Uint8Array {
  const resources = Object.keys(files)
    .map((f, i) => `<resource identifier="r${i}" type="imsqti_item_xmlv2p1" href="${f}"/>`)
    .join('');
  return zipSync(
    { 'imsmanifest.xml': strToU8(`<manifest><resources>${resources}</resources></manifest>`), ...files },
    { level },
  );
}

describe('XML safety', () => {
  it('rejects a DOCTYPE with an external entity (XXE) before parsing', () => {
    const xxe = `<?xml version="1.0"?>
<!DOCTYPE quiz [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<quiz><question type="multichoice"><name><text>&xxe;</text></name></question></quiz>`;
    expect(() => importMoodleXml(xxe)).toThrow(UnsafeImportError);
    expect(() => importMoodleXml(xxe)).toThrow(/DOCTYPE/);
    expect(() => importQti(xxe.replace(/quiz/g, 'assessmentItem'))).toThrow(UnsafeImportError);
  });

  it('rejects a billion-laughs payload quickly, without expanding anything', () => {
    const laughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<quiz>&lol9;</quiz>`;
    const started = performance.now();
    expect(() => importMoodleXml(laughs)).toThrow(UnsafeImportError);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('rejects a bare <!ENTITY> even without a DOCTYPE, but not markup inside CDATA or comments', () => {
    expect(() => parseXmlSafely('<!ENTITY x "y"><quiz/>')).toThrow(UnsafeImportError);
    const root = parseXmlSafely(
      '<quiz><!-- <!DOCTYPE x> --><t><![CDATA[<!DOCTYPE html><!ENTITY x "y">]]></t></quiz>',
    );
    expect(root.name).toBe('quiz');
  });

  it('leaves undeclared entities as text and decodes only the predefined ones', () => {
    const root = parseXmlSafely('<a t="&lt;&amp;&#65;&#x1F600;">&amp;lt; &nbsp; &unknown; &#0;</a>');
    expect(root.attrs.t).toBe('<&A😀');
    expect(root.children).toEqual(['&lt; &nbsp; &unknown; \uFFFD']);
  });

  it('rejects deep nesting and oversized documents', () => {
    const deep = `${'<a>'.repeat(limits.maxDepth + 1)}${'</a>'.repeat(limits.maxDepth + 1)}`;
    expect(() => parseXmlSafely(deep)).toThrow(/nested more than 64/);
    expect(() =>
      parseXmlSafely(`${'<a>'.repeat(limits.maxDepth)}${'</a>'.repeat(limits.maxDepth)}`),
    ).not.toThrow();
    const big = `<quiz>${' '.repeat(limits.maxXmlBytes)}</quiz>`;
    expect(() => importMoodleXml(big)).toThrow(UnsafeImportError);
    expect(() => importGift(`::a:: b {=c ~d}\n${' '.repeat(limits.maxTextBytes)}`)).toThrow(
      UnsafeImportError,
    );
  });

  it('rejects malformed XML with a message that names the line', () => {
    expect(() => parseXmlSafely('<quiz>\n<a></b>\n</quiz>')).toThrow(/not well-formed XML \(line 2\)/);
    expect(() => parseXmlSafely('<a/><b/>')).toThrow(/exactly one root/);
  });
});

describe('zip safety', () => {
  it('rejects entries that climb out of the package (../) or are absolute', () => {
    const good = unzipSync(
      exportQti([{ type: 'question', question: singleQuestion }], { version: '2.1' }).data as Uint8Array,
    );
    for (const evil of [
      '../evil.xml',
      'items/../../evil.xml',
      '/etc/evil.xml',
      'C:/evil.xml',
      '..\\evil.xml',
    ]) {
      const zip = zipSync({ ...good, [evil]: strToU8('<x/>') });
      expect(() => importQti(zip), evil).toThrow(UnsafeImportError);
      expect(() => importQti(zip), evil).toThrow(/unsafe path/);
    }
  });

  it('stops a zip bomb with the byte counter while inflating', () => {
    const bomb = packageWith({ 'items/bomb.xml': new Uint8Array(60 * MB) });
    expect(bomb.length).toBeLessThan(200_000);
    expect(() => importQti(bomb)).toThrow(UnsafeImportError);
    expect(() => importQti(bomb)).toThrow(/larger than 5 MB/);
  });

  it('counts actual inflated bytes, not the sizes the zip declares', () => {
    const bomb = packageWith({ 'items/bomb.xml': new Uint8Array(30 * MB) });
    // Lie in the central directory: claim the entry inflates to 100 bytes.
    const view = new DataView(bomb.buffer, bomb.byteOffset, bomb.byteLength);
    let last = -1;
    for (let p = 0; p < bomb.length - 4; p++) if (view.getUint32(p, true) === 0x02014b50) last = p;
    view.setUint32(last + 24, 100, true); // the bomb is the last entry
    expect(() => importQti(bomb)).toThrow(/larger than 5 MB/);
  });

  it('caps the total inflated across entries', () => {
    const chunk = new Uint8Array(4.9 * MB);
    const files: Record<string, Uint8Array> = {};
    for (let i = 0; i < 11; i++) files[`items/i${i}.xml`] = chunk;
    expect(() => importQti(packageWith(files))).toThrow(/expands to more than 50 MB/);
  });

  it('caps the number of entries and the zip size', () => {
    const files: Record<string, Uint8Array> = {};
    for (let i = 0; i <= limits.maxZipEntries; i++) files[`f${i}.txt`] = new Uint8Array(0);
    expect(() => openZipSafely(zipSync(files, { level: 0 }))).toThrow(/at most 2500 entries|2501 entries/);
    expect(() => importQti(new Uint8Array(limits.maxZipBytes + 1).fill(0x50))).toThrow(ImportError);
  });

  it('a hostile entry inside a package rejects the whole package, it is not just skipped', () => {
    const files = unzipSync(exportQti(fixtureItems, { version: '3.0' }).data as Uint8Array);
    const name = Object.keys(files).find((n) => n.startsWith('items/'))!;
    files[name] = strToU8(
      '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><qti-assessment-item>&e;</qti-assessment-item>',
    );
    expect(() => importQti(zipSync(files))).toThrow(UnsafeImportError);
  });
});

describe('HTML sanitising', () => {
  it('drops scripts, styles, frames, event handlers and javascript: URLs', () => {
    const md = htmlToMarkdown(
      `<p>Hi <script>alert(1)</script><img src=x onerror="alert(1)"><a href="javascript:alert(1)">click</a>
       <iframe src="//evil.example"></iframe><style>p{color:red}</style><b onclick="steal()">bold</b>
       <svg onload="alert(1)"><script>alert(2)</script></svg><object data="x.swf"></object></p>
       <form action="//evil"><input value="x"><button>Go</button></form><noscript><p>no</p></noscript>
       <SCRIPT SRC=//evil.js></SCRIPT>`,
    );
    expect(md).toBe('Hi click\n**bold**');
    for (const bad of ['alert', 'javascript', 'onerror', 'onclick', 'iframe', 'evil', 'style'])
      expect(md).not.toContain(bad);
  });

  it('turns broken tags into harmless text', () => {
    const md = htmlToMarkdown('<scr<script>ipt>alert(3)</script><<img src=x onerror=alert(1)>>');
    expect(md).not.toMatch(/(^|[^\\])<[a-z]/i);
    expect(md).not.toContain('onerror');
  });

  it('keeps text that merely looks like markup as escaped text', () => {
    const md = htmlToMarkdown(
      '<p>&lt;img src=x onerror=alert(1)&gt; and [x](javascript:alert(1)) and &amp;lt;</p>',
    );
    expect(md).toBe('\\<img src=x onerror=alert(1)> and [x\\](javascript:alert(1)) and \\&lt;');
    expect(md).not.toMatch(/(^|[^\\])<[a-z]/i);
    expect(md).not.toMatch(/[^\\]\]\(/);
  });

  it('keeps text structure: paragraphs, breaks, lists, code, emphasis', () => {
    const md = htmlToMarkdown(
      '<h2>Title</h2><p>One<br>two <em>three</em> <strong>four</strong> <code>five()</code></p>' +
        '<ul><li>a</li><li>b<ol><li>c</li></ol></li></ul><pre><code class="language-sql">SELECT 1;\n</code></pre>' +
        '<table><tr><td>x</td><td>y</td></tr></table><div><span style="color:red">plain</span></div>',
    );
    expect(md).toBe(
      '## Title\n\nOne\\\ntwo *three* **four** `five()`\n\n- a\n- b\n  1. c\n\n```sql\nSELECT 1;\n```\n\nx y\n\nplain',
    );
  });

  it('is linear on hostile input and caps nesting', () => {
    const started = performance.now();
    htmlToMarkdown(`${'<div><b>'.repeat(20_000)}x`);
    htmlToMarkdown(`<p>${'*_`'.repeat(30_000)}</p>`);
    htmlToMarkdown(`${'<a href="'.repeat(20_000)}`);
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('the Markdown renderer used for export never emits raw HTML', () => {
    const html = serializeFragment(
      markdownToXhtml('<script>alert(1)</script>\n\n<img src=x onerror=alert(1)> *ok*'),
    );
    expect(html).toBe(
      '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p><p>&lt;img src=x onerror=alert(1)&gt; <em>ok</em></p>',
    );
  });
});
