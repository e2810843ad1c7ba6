// Reads a content directory (the built-in library or a private pack) and reports every problem with
// its file and line, so an author fixes them all in one pass. Pure file work: no database.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { z } from 'zod';
import {
  type BankQuestion,
  type BankUploadTask,
  type PackManifest,
  packManifestSchema,
  questionSchema,
  type RoleTemplate,
  roleTemplateSchema,
  type Taxonomy,
  taxonomySchema,
  uploadTaskSchema,
} from './bank.model.js';
import {
  type PathProblem,
  questionRuleProblems,
  roleRuleProblems,
  uploadTaskRuleProblems,
} from './bank.rules.js';
import { planCellCounts } from './draw-plan.js';

export type ContentProblem = { file: string; line: number; message: string };
type Located = { file: string; line: number };
export type LoadedQuestion = BankQuestion & Located;
export type LoadedUploadTask = BankUploadTask & Located;
export type LoadedRole = RoleTemplate & Located;

export type ContentLibrary = {
  /** Absolute path of the directory; problem and item `file`s are relative to it. */
  root: string;
  kind: 'builtin' | 'pack';
  /** A pack's manifest; null for the built-in library. */
  pack: PackManifest | null;
  /** The built-in library's taxonomy (a pack is checked against the built-in one). */
  taxonomy: Taxonomy | null;
  roles: LoadedRole[];
  questions: LoadedQuestion[];
  uploadTasks: LoadedUploadTask[];
  problems: ContentProblem[];
  /** The fingerprint of every file read, as hashContentDir computes it. */
  hash: string;
};

/** A cell must hold this many times the questions a role draws from it, so draws still vary. */
export const BANK_HEADROOM = 2;

// Bumped when the loader or the sync changes how files become rows, so a stored fingerprint of the
// old loader no longer matches and the next start syncs everything again.
const LOADER_VERSION = 'loader-1';

/** The package root (the folder with package.json), found from this file, whatever the cwd. */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error('Cannot find the Assay package root (package.json)');
    dir = up;
  }
}

/** Where the built-in library lives: `content/` in the package root. */
export function builtInContentDir(): string {
  return path.join(packageRoot(), 'content');
}

export function isPackDir(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'pack.yaml'));
}

// ---------------------------------------------------------------------------------------------
// Files

function listYaml(root: string, sub: string): string[] {
  const out: string[] = [];
  const visit = (rel: string) => {
    const abs = path.join(root, rel);
    if (!fs.existsSync(abs)) return;
    for (const e of fs
      .readdirSync(abs, { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name))) {
      const childRel = path.join(rel, e.name);
      if (e.isDirectory()) visit(childRel);
      else if (/\.ya?ml$/.test(e.name)) out.push(childRel.split(path.sep).join('/'));
    }
  };
  visit(sub);
  return out;
}

/** Every file the loader reads, relative to the root, in a stable order. */
function contentFiles(root: string): string[] {
  const top = ['pack.yaml', 'taxonomy.yaml', 'roles.yaml'].filter((f) => fs.existsSync(path.join(root, f)));
  return [...top, ...listYaml(root, 'questions'), ...listYaml(root, 'upload-tasks')];
}

/**
 * A fingerprint of a content directory: its file names and bytes. Cheap (no YAML parsing), so the
 * start-up sync can tell that nothing changed without loading anything.
 */
export function hashContentDir(root: string): string {
  const h = createHash('sha256').update(LOADER_VERSION);
  for (const f of contentFiles(root)) {
    h.update(`\u0000${f}\u0000`);
    h.update(fs.readFileSync(path.join(root, f)));
  }
  return h.digest('hex');
}

// ---------------------------------------------------------------------------------------------
// YAML with line numbers

type YamlFile = { file: string; doc: ReturnType<typeof parseDocument>; lines: LineCounter; data: unknown };

function lineAt(lines: LineCounter, offset: number | undefined): number {
  return offset === undefined ? 1 : lines.linePos(offset).line;
}

/** The line of the node at `path`, or of its nearest existing ancestor. A map key points at its key. */
function lineOfPath(y: YamlFile, p: ReadonlyArray<string | number>): number {
  let node: unknown = y.doc.contents;
  let line = lineAt(y.lines, (node as Node | null)?.range?.[0]);
  for (const seg of p) {
    if (isMap(node)) {
      const pair = node.items.find((it) => isScalar(it.key) && String(it.key.value) === String(seg));
      if (!pair) return line;
      line = lineAt(y.lines, (pair.key as Node).range?.[0]);
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as Node | undefined;
      if (!item) return line;
      line = lineAt(y.lines, item.range?.[0]);
      node = item;
    } else return line;
  }
  return line;
}

function readYaml(root: string, file: string, problems: ContentProblem[]): YamlFile | null {
  let src: string;
  try {
    src = fs.readFileSync(path.join(root, file), 'utf8');
  } catch (err) {
    problems.push({ file, line: 1, message: `cannot read the file: ${(err as Error).message}` });
    return null;
  }
  const lines = new LineCounter();
  const doc = parseDocument(src, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    for (const e of doc.errors) {
      problems.push({
        file,
        line: lineAt(lines, e.pos[0]),
        message: `YAML syntax: ${e.message.split('\n')[0]}`,
      });
    }
    return null;
  }
  return { file, doc, lines, data: doc.toJS() };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && (issue as { input?: unknown }).input === undefined)
    return 'is required';
  if (issue.code === 'unrecognized_keys')
    return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
  return issue.message;
}

function pathLabel(p: ReadonlyArray<PropertyKey>): string {
  return p.reduce<string>(
    (s, seg) => (typeof seg === 'number' ? `${s}[${seg}]` : s ? `${s}.${String(seg)}` : String(seg)),
    '',
  );
}

/** Parses `value` (found at `base` in the file) with `schema`, reporting every issue at its line. */
function parseAt<S extends z.ZodType>(
  schema: S,
  y: YamlFile,
  base: Array<string | number>,
  value: unknown,
  label: string,
  problems: ContentProblem[],
): z.output<S> | null {
  const r = schema.safeParse(value, { reportInput: true });
  if (r.success) return r.data;
  for (const issue of r.error.issues) {
    const rel = issue.path.filter((s): s is string | number => typeof s !== 'symbol');
    const at = issue.code === 'unrecognized_keys' && issue.keys[0] ? [...rel, issue.keys[0]] : rel;
    const where = pathLabel(rel);
    problems.push({
      file: y.file,
      line: lineOfPath(y, [...base, ...at]),
      message: `${label}: ${where ? `${where}: ` : ''}${describeIssue(issue)}`,
    });
  }
  return null;
}

function report(
  y: YamlFile,
  base: Array<string | number>,
  label: string,
  found: PathProblem[],
  problems: ContentProblem[],
) {
  for (const p of found) {
    problems.push({
      file: y.file,
      line: lineOfPath(y, [...base, ...p.path]),
      message: `${label}: ${p.message}`,
    });
  }
}

function asRecord(v: unknown): Record<string, unknown> | null {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

// ---------------------------------------------------------------------------------------------
// Loading

export type LoadOptions = {
  /** The taxonomy a pack is checked against; read from the built-in library when omitted. */
  taxonomy?: Taxonomy;
};

/**
 * Loads and validates a content directory. A directory with `pack.yaml` is a private pack (questions
 * and upload tasks only); otherwise it is a full library with `taxonomy.yaml` and `roles.yaml`.
 * Items with problems are left out of the result; `problems` lists every one of them.
 */
export function loadContentDir(dir: string, opts: LoadOptions = {}): ContentLibrary {
  const root = path.resolve(dir);
  const problems: ContentProblem[] = [];
  const lib: ContentLibrary = {
    root,
    kind: isPackDir(root) ? 'pack' : 'builtin',
    pack: null,
    taxonomy: null,
    roles: [],
    questions: [],
    uploadTasks: [],
    problems,
    hash: '',
  };
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) {
    problems.push({ file: '.', line: 1, message: `${root} is not a directory` });
    return lib;
  }
  lib.hash = hashContentDir(root);

  let taxonomy: Taxonomy | null = null;
  if (lib.kind === 'pack') {
    const y = readYaml(root, 'pack.yaml', problems);
    if (y) lib.pack = parseAt(packManifestSchema, y, [], y.data, 'pack.yaml', problems);
    taxonomy = opts.taxonomy ?? loadTaxonomy(builtInContentDir());
  } else {
    taxonomy = readTaxonomy(root, problems);
    lib.taxonomy = taxonomy;
  }
  const subtopics = new Set(taxonomy?.skills.flatMap((s) => s.subtopics.map((t) => t.id)) ?? []);

  // Questions: every file under questions/, a list under `questions:`.
  const questionFiles = listYaml(root, 'questions');
  if (!questionFiles.length && lib.kind === 'builtin') {
    problems.push({ file: 'questions', line: 1, message: 'no question files found under questions/' });
  }
  const questionIds = new Map<string, Located>();
  for (const file of questionFiles) {
    const y = readYaml(root, file, problems);
    if (!y) continue;
    const top = asRecord(y.data);
    if (!top || !Array.isArray(top.questions)) {
      problems.push({ file, line: 1, message: 'a question file holds a list under `questions:`' });
      continue;
    }
    for (const key of Object.keys(top).filter((k) => k !== 'questions')) {
      problems.push({ file, line: lineOfPath(y, [key]), message: `unknown top-level field ${key}` });
    }
    top.questions.forEach((raw, i) => {
      const base = ['questions', i];
      const rawId = asRecord(raw)?.id;
      const label = typeof rawId === 'string' ? rawId : `questions[${i}]`;
      const here: Located = { file, line: lineOfPath(y, base) };
      if (typeof rawId === 'string') {
        const first = questionIds.get(rawId);
        if (first) {
          problems.push({
            file,
            line: lineOfPath(y, [...base, 'id']),
            message: `duplicate question id "${rawId}" (first defined at ${first.file}:${first.line})`,
          });
          return;
        }
        questionIds.set(rawId, here);
      }
      const q = parseAt(questionSchema, y, base, raw, label, problems);
      if (!q) return;
      const found = questionRuleProblems(q, subtopics);
      report(y, base, label, found, problems);
      if (!found.length) lib.questions.push({ ...q, ...here });
    });
  }

  // Upload tasks: one per file, named after its id.
  const taskIds = new Map<string, Located>();
  for (const file of listYaml(root, 'upload-tasks')) {
    const y = readYaml(root, file, problems);
    if (!y) continue;
    const rawId = asRecord(y.data)?.id;
    const label = typeof rawId === 'string' ? rawId : path.basename(file);
    const here: Located = { file, line: lineOfPath(y, []) };
    if (typeof rawId === 'string') {
      const first = taskIds.get(rawId);
      if (first) {
        problems.push({
          file,
          line: lineOfPath(y, ['id']),
          message: `duplicate upload task id "${rawId}" (first defined in ${first.file})`,
        });
        continue;
      }
      taskIds.set(rawId, here);
      const expected = path.basename(file).replace(/\.ya?ml$/, '');
      if (rawId !== expected) {
        problems.push({
          file,
          line: lineOfPath(y, ['id']),
          message: `upload task id "${rawId}" differs from its file name (expected "${expected}")`,
        });
      }
    }
    const t = parseAt(uploadTaskSchema, y, [], y.data, label, problems);
    if (!t) continue;
    const found = uploadTaskRuleProblems(t, subtopics);
    report(y, [], label, found, problems);
    if (!found.length) lib.uploadTasks.push({ ...t, ...here });
  }

  if (lib.kind === 'builtin') lib.roles = readRoles(root, lib, subtopics, taskIds, problems);
  return lib;
}

function readTaxonomy(root: string, problems: ContentProblem[]): Taxonomy | null {
  const y = readYaml(root, 'taxonomy.yaml', problems);
  if (!y) return null;
  const t = parseAt(taxonomySchema, y, [], y.data, 'taxonomy', problems);
  if (!t) return null;
  const seen = new Set<string>();
  t.skills.forEach((skill, i) => {
    if (seen.has(skill.id))
      problems.push({
        file: y.file,
        line: lineOfPath(y, ['skills', i, 'id']),
        message: `duplicate skill id "${skill.id}"`,
      });
    seen.add(skill.id);
    skill.subtopics.forEach((s, j) => {
      if (seen.has(s.id)) {
        problems.push({
          file: y.file,
          line: lineOfPath(y, ['skills', i, 'subtopics', j, 'id']),
          message: `duplicate skill or subtopic id "${s.id}"`,
        });
      }
      seen.add(s.id);
    });
  });
  return t;
}

const taxonomyCache = new Map<string, { hash: string; taxonomy: Taxonomy }>();

/** The taxonomy of a library, for checking packs. Throws when it is missing or invalid. */
export function loadTaxonomy(root: string): Taxonomy {
  const file = path.join(root, 'taxonomy.yaml');
  const hash = fs.existsSync(file) ? createHash('sha256').update(fs.readFileSync(file)).digest('hex') : '';
  const cached = taxonomyCache.get(root);
  if (cached && cached.hash === hash) return cached.taxonomy;
  const problems: ContentProblem[] = [];
  const t = readTaxonomy(root, problems);
  if (!t || problems.length) {
    throw new Error(
      `Invalid taxonomy:\n${problems.map((p) => `${path.join(root, p.file)}:${p.line}: ${p.message}`).join('\n')}`,
    );
  }
  taxonomyCache.set(root, { hash, taxonomy: t });
  return t;
}

const catalogCache = new Map<string, { hash: string; catalog: Catalog }>();
export type Catalog = { taxonomy: Taxonomy; roles: RoleTemplate[] };

/**
 * The taxonomy and role templates of a library (the built-in one unless told otherwise), read from
 * their two small files and cached until the files change. The start-up sync has validated them.
 */
export function loadCatalog(root = builtInContentDir()): Catalog {
  const h = createHash('sha256');
  for (const f of ['taxonomy.yaml', 'roles.yaml']) {
    const file = path.join(root, f);
    h.update(fs.existsSync(file) ? fs.readFileSync(file) : '');
  }
  const hash = h.digest('hex');
  const cached = catalogCache.get(root);
  if (cached && cached.hash === hash) return cached.catalog;
  const problems: ContentProblem[] = [];
  const taxonomy = loadTaxonomy(root);
  const roles: RoleTemplate[] = [];
  const y = readYaml(root, 'roles.yaml', problems);
  const list = y && asRecord(y.data)?.roles;
  if (y && Array.isArray(list)) {
    list.forEach((raw, i) => {
      const r = parseAt(roleTemplateSchema, y, ['roles', i], raw, `roles[${i}]`, problems);
      if (r) roles.push(r);
    });
  }
  if (problems.length) {
    throw new Error(
      `Invalid role templates:\n${problems.map((p) => `${path.join(root, p.file)}:${p.line}: ${p.message}`).join('\n')}`,
    );
  }
  const catalog = { taxonomy, roles };
  catalogCache.set(root, { hash, catalog });
  return catalog;
}

function readRoles(
  root: string,
  lib: ContentLibrary,
  subtopics: ReadonlySet<string>,
  taskIds: ReadonlyMap<string, Located>,
  problems: ContentProblem[],
): LoadedRole[] {
  const y = readYaml(root, 'roles.yaml', problems);
  if (!y) return [];
  const top = asRecord(y.data);
  if (!top || !Array.isArray(top.roles)) {
    problems.push({ file: y.file, line: 1, message: 'roles.yaml holds a list under `roles:`' });
    return [];
  }
  const tasks = new Map<string, { retired: boolean }>();
  for (const id of taskIds.keys()) tasks.set(id, { retired: false });
  for (const t of lib.uploadTasks) tasks.set(t.id, { retired: t.retired });

  // Active questions per subtopic × difficulty, for the can-the-bank-satisfy-it check.
  const active = new Map<string, number>();
  for (const q of lib.questions) {
    if (q.retired) continue;
    const k = `${q.subtopic}/${q.difficulty}`;
    active.set(k, (active.get(k) ?? 0) + 1);
  }

  const roles: LoadedRole[] = [];
  const seen = new Set<string>();
  top.roles.forEach((raw, i) => {
    const base = ['roles', i];
    const rawId = asRecord(raw)?.id;
    const label = typeof rawId === 'string' ? `role ${rawId}` : `roles[${i}]`;
    if (typeof rawId === 'string') {
      if (seen.has(rawId)) {
        problems.push({
          file: y.file,
          line: lineOfPath(y, [...base, 'id']),
          message: `duplicate role id "${rawId}"`,
        });
        return;
      }
      seen.add(rawId);
    }
    const r = parseAt(roleTemplateSchema, y, base, raw, label, problems);
    if (!r) return;
    const found = roleRuleProblems(r, subtopics, tasks);
    report(y, base, label, found, problems);
    if (found.length) return;
    const plan = planCellCounts(r.weights, r.difficulty, r.questionCount);
    let satisfiable = true;
    for (const c of plan.cells) {
      const have = active.get(`${c.subtopic}/${c.difficulty}`) ?? 0;
      if (have < BANK_HEADROOM * c.count) {
        satisfiable = false;
        problems.push({
          file: y.file,
          line: lineOfPath(y, [...base, 'weights', c.subtopic]),
          message: `${label}: draws ${c.count} ${c.difficulty} ${c.subtopic} question${c.count === 1 ? '' : 's'} but the bank has ${have} active (needs at least ${BANK_HEADROOM * c.count})`,
        });
      }
    }
    if (satisfiable) roles.push({ ...r, file: y.file, line: lineOfPath(y, base) });
  });
  return roles;
}
