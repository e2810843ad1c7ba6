// The printable HTML report: one self-contained page, inline CSS only, every value escaped, served
// with a Content-Security-Policy that allows nothing but that one stylesheet (by its hash): no
// script, no image, no request of any kind can come out of it, whatever a candidate typed.
import { createHash } from 'node:crypto';
import { escapeHtml as esc } from '../../mail/mailer.js';
import type { Report } from './results.schemas.js';

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1a1b1e;max-width:900px;margin:24px auto;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #dee2e6;padding-bottom:4px}
h3{font-size:15px;margin:18px 0 6px}.muted{color:#555}.small{font-size:12px}
table{border-collapse:collapse;width:100%;margin:6px 0}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #e9ecef;vertical-align:top}
th{font-weight:600;background:#f8f9fa}.num{text-align:right;font-variant-numeric:tabular-nums}
.item{border:1px solid #e9ecef;border-radius:6px;padding:8px 12px;margin:8px 0;break-inside:avoid}
.ok{color:#2b8a3e}.bad{color:#c92a2a}.tag{display:inline-block;border:1px solid #ced4da;border-radius:4px;padding:0 6px;font-size:12px}
pre{white-space:pre-wrap;font:inherit;margin:4px 0}
@media print{body{margin:0}a{color:inherit}}
`;

/** The policy the page is served with: only the stylesheet above may apply. */
export const REPORT_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

const pct = (x: number | null | undefined) =>
  x === null || x === undefined ? '—' : `${Math.round(x * 100)}%`;
const pctile = (x: number | null | undefined) => (x === null || x === undefined ? '—' : `${Math.round(x)}`);
const when = (iso: string | null | undefined) =>
  iso ? esc(iso.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')) : '—';
function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return `${m} min ${s} s`;
}

export function renderReportHtml(r: Report, opts: { organizationName: string; generatedAt: string }): string {
  const who = r.candidate ? r.candidate.name : r.preview ? 'Staff preview' : 'Candidate';
  const parts: string[] = [];
  parts.push(`<h1>${esc(who)}</h1>`);
  parts.push(
    `<p class="muted">${esc(r.assessment.name)} · ${esc(opts.organizationName)}${r.demo ? ' · <span class="tag">demo data</span>' : ''}</p>`,
  );
  if (r.candidate) {
    parts.push(
      `<p>${esc(r.candidate.email)}${r.candidate.externalId ? ` · external id ${esc(r.candidate.externalId)}` : ''}</p>`,
    );
  }
  parts.push(`<table><tbody>
<tr><th>Status</th><td>${esc(r.status.replace('_', ' '))}</td><th>Stage</th><td>${esc(r.stage ?? '—')}</td></tr>
<tr><th>Overall score</th><td class="num">${pct(r.score)}</td><th>Percentile</th><td class="num">${pctile(r.percentile)}</td></tr>
<tr><th>Started</th><td>${when(r.startedAt)}</td><th>Submitted</th><td>${when(r.submittedAt)}</td></tr>
<tr><th>Time taken</th><td>${duration(r.timeTakenMs)}</td><th>Integrity signals</th><td>${esc(r.integrity.tier)}</td></tr>
</tbody></table>`);

  parts.push('<h2>By subtopic</h2>');
  if (r.subtopics.length) {
    parts.push(
      `<table><thead><tr><th>Subtopic</th><th class="num">Score</th><th class="num">Role benchmark (median)</th></tr></thead><tbody>${r.subtopics
        .map(
          (s) =>
            `<tr><td>${esc(s.label)}</td><td class="num">${pct(s.score)}</td><td class="num">${pct(s.benchmark)}</td></tr>`,
        )
        .join('')}</tbody></table>`,
    );
  } else parts.push('<p class="muted">No subtopic scores yet.</p>');
  parts.push(
    r.benchmark.hiddenReason
      ? `<p class="muted small">Benchmark hidden: ${esc(r.benchmark.hiddenReason)}.</p>`
      : `<p class="muted small">Benchmark: median ${pct(r.benchmark.median)} of ${r.benchmark.gradedCount} graded candidates for this role.</p>`,
  );

  for (const s of r.sections) {
    parts.push(
      `<h2>${esc(s.title)}</h2><p class="muted small">${s.kind === 'quiz' ? 'Concepts &amp; Knowledge' : 'File upload'} · limit ${esc(String(s.minutes))} min · time spent ${duration(s.timeSpentMs)} · score ${pct(s.score)}</p>`,
    );
    for (const item of s.items ?? []) {
      parts.push(`<div class="item"><strong>${esc(item.key)}.</strong><pre>${esc(item.stem)}</pre><ul>${item.options
        .map(
          (o) =>
            `<li>${o.chosen ? '<strong>' : ''}${esc(o.text)}${o.chosen ? '</strong> (chosen)' : ''}${o.correct ? ' <span class="ok">✓ key</span>' : ''}</li>`,
        )
        .join('')}</ul>
<p class="small">Mark: <span class="${(item.mark ?? 0) >= 1 ? 'ok' : 'bad'}">${pct(item.mark)}</span> · ${esc(item.subtopic)} · ${esc(item.difficulty)}</p>
${item.explanation ? `<p class="small muted">Explanation: ${esc(item.explanation)}</p>` : ''}</div>`);
    }
    if (s.kind === 'upload') {
      const files = s.uploads ?? [];
      parts.push(
        files.length
          ? `<table><thead><tr><th>File</th><th class="num">Size</th><th>SHA-256</th></tr></thead><tbody>${files
              .map(
                (f) =>
                  `<tr><td>${esc(f.name)}${f.removedAt ? ' (removed)' : ''}</td><td class="num">${f.size}</td><td class="small">${esc(f.sha256)}</td></tr>`,
              )
              .join('')}</tbody></table>`
          : '<p class="muted">No files.</p>',
      );
      const review = s.review;
      if (review) {
        parts.push(
          `<p>Reviews: ${review.reviewsDone} of ${review.reviewsRequired}${review.score !== null ? ` · section score ${pct(review.score)}` : ''}${review.disagreement ? ' · <span class="bad">reviewers disagree</span>' : ''}</p>`,
        );
        for (const rv of review.reviews) {
          parts.push(
            `<div class="item"><p><strong>${esc(rv.reviewer.name ?? 'Former member')}</strong> · total ${pct(rv.total)} · ${Object.entries(
              rv.scores,
            )
              .map(([k, v]) => `${esc(k)} ${esc(String(v))}`)
              .join(', ')}</p>${rv.comment ? `<pre>${esc(rv.comment)}</pre>` : ''}</div>`,
          );
        }
      }
    }
  }

  parts.push('<h2>Integrity signals</h2>');
  parts.push(
    r.integrity.events.length
      ? `<table><thead><tr><th>When</th><th>Signal</th><th>Address</th></tr></thead><tbody>${r.integrity.events
          .map(
            (e) => `<tr><td>${when(e.createdAt)}</td><td>${esc(e.type)}</td><td>${esc(e.ip ?? '')}</td></tr>`,
          )
          .join('')}</tbody></table>`
      : '<p class="muted">None recorded.</p>',
  );

  parts.push('<h2>Notes</h2>');
  parts.push(
    r.notes.length
      ? r.notes
          .map(
            (n) =>
              `<div class="item"><p class="small muted">${when(n.createdAt)} · ${esc(n.author?.name ?? 'Former member')}</p><pre>${esc(n.body)}</pre></div>`,
          )
          .join('')
      : '<p class="muted">No notes.</p>',
  );
  parts.push(`<p class="muted small">Generated ${when(opts.generatedAt)} by Assay.</p>`);

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${esc(`${who} — ${r.assessment.name}`)}</title>
<style>${STYLE}</style></head>
<body>
${parts.join('\n')}
</body></html>`;
}
