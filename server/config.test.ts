import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('configuration', () => {
  it('starts with no configuration at all: SQLite in ./data on port 3000', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.database.kind).toBe('sqlite');
    expect(c.publicUrl).toBe('http://127.0.0.1:3000');
    expect(c.signup).toBe('closed');
  });

  it('uses PostgreSQL when DATABASE_URL says so, and PUBLIC_URL for links', () => {
    const c = loadConfig({
      DATABASE_URL: 'postgresql://u@db/assay',
      PUBLIC_URL: 'https://assess.example.com/',
    });
    expect(c.database).toMatchObject({ kind: 'postgres', url: 'postgresql://u@db/assay' });
    expect(c.publicUrl).toBe('https://assess.example.com');
  });

  it('lists every problem at once', () => {
    try {
      loadConfig({
        PORT: 'abc',
        DATABASE_URL: 'mysql://x',
        ASSAY_SIGNUP: 'maybe',
        ASSAY_SECRET_KEY: 'short',
      });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const msg = (err as ConfigError).message;
      for (const key of ['PORT', 'DATABASE_URL', 'ASSAY_SIGNUP', 'ASSAY_SECRET_KEY'])
        expect(msg).toContain(key);
      expect((err as ConfigError).problems).toHaveLength(4);
    }
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' }).database.kind).toBe('sqlite');
  });
});
