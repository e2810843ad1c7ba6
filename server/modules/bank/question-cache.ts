// Question versions never change once written, so the ones attempts point at can be kept in
// memory: a start's draw, a page load or a grading run then costs no bank query for questions seen
// recently.
import type { DbOrTrx } from '../../db/database.js';
import { getQuestionVersions, type QuestionVersionContent } from './bank.service.js';

const MAX_ENTRIES = 5000;
const cache = new Map<string, QuestionVersionContent>();

/** The versions by id (missing ids are absent), from memory where possible. */
export async function loadQuestionVersions(
  db: DbOrTrx,
  versionIds: readonly string[],
): Promise<Map<string, QuestionVersionContent>> {
  const out = new Map<string, QuestionVersionContent>();
  const missing: string[] = [];
  for (const id of new Set(versionIds)) {
    const hit = cache.get(id);
    if (hit) out.set(id, hit);
    else missing.push(id);
  }
  if (missing.length) {
    const loaded = await getQuestionVersions(db, missing);
    for (const [id, v] of loaded) {
      out.set(id, v);
      if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
      cache.set(id, v);
    }
  }
  return out;
}
