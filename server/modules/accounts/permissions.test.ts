import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { permissions } from './permissions.js';

describe('docs/permissions.md', () => {
  it('shows the same matrix the server enforces', () => {
    const md = fs.readFileSync('docs/permissions.md', 'utf8');
    const rows = new Map<string, string[]>();
    for (const line of md.split('\n')) {
      const m = /^\|\s*`([a-z.]+)`\s*\|(.*)\|\s*$/.exec(line);
      if (!m) continue;
      const cells = m[2]!.split('|').map((c) => c.trim());
      if (cells.length !== 4) continue;
      rows.set(
        m[1]!,
        ['owner', 'admin', 'recruiter', 'reviewer'].filter((_, i) => cells[i] === '✓'),
      );
    }
    expect(Object.fromEntries(rows)).toEqual(
      Object.fromEntries(Object.entries(permissions).map(([k, v]) => [k, [...v]])),
    );
  });
});
