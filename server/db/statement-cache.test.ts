// The SQLite statement cache: statements are reused by SQL text, stay right after a schema change,
// and the cache stays bounded.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cachePreparedStatements, openSqliteFile } from './database.js';

describe('SQLite statement cache', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assay-stmt-'));
  const db = cachePreparedStatements(openSqliteFile(path.join(dir, 'cache.db')));

  it('reuses a statement by its SQL text and still sees schema changes', () => {
    db.exec('create table t (a integer)');
    db.prepare('insert into t (a) values (?)').run(1);
    const select = db.prepare('select * from t');
    expect(db.prepare('select * from t')).toBe(select);
    expect(select.all()).toEqual([{ a: 1 }]);
    db.exec('alter table t add column b text');
    db.prepare('update t set b = ?').run('x');
    expect(db.prepare('select * from t').all()).toEqual([{ a: 1, b: 'x' }]);
  });

  it('keeps at most 500 statements, dropping the least recently used', () => {
    const first = db.prepare('select 0 as n');
    for (let i = 1; i <= 500; i++) db.prepare(`select ${i} as n`);
    expect(db.prepare('select 0 as n')).not.toBe(first);
    expect(db.prepare('select 0 as n').get()).toEqual({ n: 0 });
  });
});
