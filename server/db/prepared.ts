// A query on the candidate's hot path, built and compiled by Kysely once per shape instead of on every
// request: building and compiling the autosave's upsert costs more than SQLite takes to run it.
import type { Compilable, CompiledQuery } from 'kysely';
import type { DbOrTrx } from './database.js';

const SLOT = '\u0000assay-slot:';

type Compiled<O, P extends string> = { query: CompiledQuery<O>; slots: Array<P | undefined> };
type Shape = Record<string, string | boolean>;

/**
 * `build(db, slot, shape)` writes the query with `slot('name')` wherever a value goes; `shape` holds
 * what changes the SQL itself beyond the dialect (an optional condition, say). The first call for a shape
 * compiles it with placeholders; every call then sends that SQL text with its own values in the
 * placeholders' places.
 */
export function preparedQuery<S extends Shape, P extends string, O>(
  build: (db: DbOrTrx, slot: (name: P) => never, shape: S) => Compilable<O>,
): (db: DbOrTrx, shape: S, values: Record<P, unknown>) => Promise<O[]> {
  // One set of compiled shapes per database: the dialect decides the SQL text (placeholders,
  // quoting), and a transaction shares its database's adapter.
  const byDatabase = new WeakMap<object, Map<string, Compiled<O, P>>>();
  return async (db, shape, values) => {
    const adapter = db.getExecutor().adapter;
    let shapes = byDatabase.get(adapter);
    if (!shapes) {
      shapes = new Map();
      byDatabase.set(adapter, shapes);
    }
    const key = JSON.stringify(shape);
    let c = shapes.get(key);
    if (!c) {
      const query = build(db, (name) => `${SLOT}${name}` as never, shape).compile();
      const slots = query.parameters.map((v) =>
        typeof v === 'string' && v.startsWith(SLOT) ? (v.slice(SLOT.length) as P) : undefined,
      );
      c = { query, slots };
      shapes.set(key, c);
    }
    const { query, slots } = c;
    const parameters = query.parameters.map((v, i) => {
      const name = slots[i];
      return name === undefined ? v : values[name];
    });
    const result = await db.executeQuery<O>({ ...query, parameters });
    return result.rows;
  };
}
