// Items used by the interchange round-trip tests. Markdown texts are in canonical form (see markdown.ts),
// which is what an import produces, so a round trip must give them back exactly.
import { type BankQuestion, type BankUploadTask, questionSchema, uploadTaskSchema } from '../bank.model.js';
import type { InterchangeItem } from './interchange.types.js';

const q = (x: Record<string, unknown>): BankQuestion => questionSchema.parse(x);
const t = (x: Record<string, unknown>): BankUploadTask => uploadTaskSchema.parse(x);

export const singleQuestion = q({
  id: 'db-default-isolation',
  kind: 'single',
  subtopic: 'databases',
  difficulty: 'easy',
  seconds: 40,
  tags: ['isolation', 'postgresql'],
  stem: 'Which isolation level does PostgreSQL use\nwhen a transaction does not choose one?',
  options: [
    { id: 'a', text: 'Read Uncommitted' },
    { id: 'b', text: 'Read Committed' },
    { id: 'c', text: 'Repeatable Read' },
    { id: 'd', text: 'Serializable' },
  ],
  correct: ['b'],
  explanation: 'PostgreSQL defaults to *Read Committed*: each statement sees a fresh snapshot.',
});

export const multipleQuestion = q({
  id: 'api-idempotent-methods',
  kind: 'multiple',
  subtopic: 'api-integration',
  difficulty: 'hard',
  seconds: 120,
  tags: ['http', 'idempotency', 'rest'],
  stem: 'Which HTTP methods are **idempotent** by definition (RFC 9110)?',
  options: [
    { id: 'a', text: '`GET`' },
    { id: 'b', text: '`POST`' },
    { id: 'c', text: '`PUT`' },
    { id: 'd', text: '`DELETE`' },
    { id: 'e', text: '`PATCH`' },
  ],
  correct: ['d', 'a', 'c'],
  explanation:
    'Idempotent methods:\n\n- `GET` and `HEAD` are safe, hence idempotent;\n- `PUT` replaces the state;\n- `DELETE` removes it.\n\n`POST` and `PATCH` are not idempotent in general.',
});

export const codeQuestion = q({
  id: 'db-lost-update',
  kind: 'single',
  subtopic: 'databases',
  difficulty: 'medium',
  seconds: 75,
  tags: ['transactions'],
  stem: "Two requests run this at the same time under PostgreSQL's default isolation level:\n\n```sql\nBEGIN;\nSELECT balance FROM accounts WHERE id = 1;   -- both read 100\nUPDATE accounts SET balance = 100 - 30 WHERE id = 1;\nCOMMIT;\n```\n\nWhat is the final balance, and why?",
  options: [
    { id: 'a', text: "70: the second transaction's update overwrites the first one's (a lost update)." },
    { id: 'b', text: '40: PostgreSQL serialises the two updates.' },
    { id: 'c', text: 'The second transaction fails with a serialization error.' },
  ],
  correct: ['a'],
  explanation:
    'Read Committed lets both transactions read 100; both write `70`.\n\n1. Use `UPDATE … SET balance = balance - 30`, or\n2. lock the row with `SELECT … FOR UPDATE`.',
});

/** GIFT's special characters, XML's, Markdown's and non-ASCII text, plus ids that are not XML names. */
export const specialQuestion = q({
  id: '3d-special-chars',
  kind: 'single',
  subtopic: 'server-side-languages',
  difficulty: 'medium',
  seconds: 60,
  tags: ['gift', 'unicode'],
  stem: 'Which line prints `{a=1} ~ #b: c`? Consider {a=1} ~ b # c: d = e \\ f & g < h > i, "quotes" \'apostrophes\'.\n\nNaïve café — “curly” 日本語 😀 ∑ ≤ ≥.',
  options: [
    { id: '1', text: '`$user->save()` returns {a=1}' },
    { id: '2', text: '%50% of `~tilde` and #hash: yes' },
    { id: '3', text: 'C:\\Users\\me\\file.txt = a path' },
    { id: '4', text: '\\<no-tag> & "quotes" :: ::' },
  ],
  correct: ['1'],
  explanation: 'Braces {}, equals =, tilde ~, hash #, colon : and backslash \\ are escaped in GIFT.',
  retired: true,
});

export const uploadTask = t({
  id: 'api-design-openapi',
  title: 'Design a REST API & hand in its OpenAPI document',
  subtopics: ['api-integration', 'security-auth'],
  minutes: 75,
  accept: ['.yaml', '.yml', '.json'],
  maxSizeMb: 2.5,
  maxFiles: 3,
  allowZip: true,
  prompt:
    '## Context\n\nA makerspace lends tools to its members. Loans are tracked in a spreadsheet\ntoday.\n\n## Requirements\n\n1. Members browse the catalogue, filtered by category.\n   Paging must not skip or repeat items.\n2. A member reserves a tool:\n   - reservations never overlap;\n   - some tools need an induction.\n3. The kiosk retries requests.\n\n```yaml\nopenapi: 3.1.0\ninfo: { title: Loans }\n```\n\nHand in **one** OpenAPI document (`.yaml`, `.yml` or `.json`).',
  rubric: [
    {
      id: 'resources',
      name: 'Resource modelling',
      levels: [
        { score: 0, descriptor: 'RPC-style verbs (/reserveTool) with no consistent resources.' },
        { score: 1, descriptor: 'Items and reservations exist, but loans are folded into flags.' },
        { score: 2, descriptor: 'Clear resources with consistent naming & sensible nesting.' },
        { score: 3, descriptor: 'Resources map cleanly to the domain: <tool types> vs items, "loans".' },
      ],
    },
    {
      id: 'http-semantics',
      name: 'HTTP semantics & errors',
      levels: [
        { score: 0, descriptor: 'GET with side effects; 200 for every outcome.' },
        { score: 1, descriptor: 'Generic 400/500 only.' },
        { score: 2, descriptor: 'Correct codes incl. 201, 404, 409 and one error schema.' },
      ],
    },
    {
      id: 'robustness',
      name: 'Retries and concurrency',
      levels: [
        { score: 0, descriptor: 'Not addressed.' },
        { score: 1, descriptor: 'Mentioned without a mechanism.' },
        { score: 2, descriptor: 'Idempotency keys on check-out; keyset paging.' },
        { score: 3, descriptor: 'As 2, plus conflict handling explained.' },
        { score: 4, descriptor: 'As 3, plus ETags for optimistic concurrency.' },
      ],
    },
  ],
  reviewerNotes:
    '**A strong answer** usually has:\n\n- a loan resource with explicit state transitions;\n- an `Idempotency-Key` header on check-out.\n\nWeak answers *ignore* retries.',
});

export const simpleTask = t({
  id: 'sql-schema',
  title: 'Write the schema',
  subtopics: ['databases'],
  minutes: 60,
  accept: ['.pdf', '.txt'],
  maxSizeMb: 10,
  maxFiles: 1,
  allowZip: true,
  prompt: 'Write the tables for a library, with constraints.',
  rubric: [
    {
      id: 'keys',
      name: 'Keys',
      levels: [
        { score: 0, descriptor: 'None.' },
        { score: 1, descriptor: 'Some.' },
        { score: 2, descriptor: 'All.' },
      ],
    },
    {
      id: 'constraints',
      name: 'Constraints',
      levels: [
        { score: 0, descriptor: 'None.' },
        { score: 1, descriptor: 'Some.' },
        { score: 2, descriptor: 'All.' },
      ],
    },
    {
      id: 'types',
      name: 'Types',
      levels: [
        { score: 0, descriptor: 'Wrong.' },
        { score: 1, descriptor: 'Mostly right.' },
        { score: 2, descriptor: 'Right.' },
      ],
    },
  ],
  reviewerNotes: 'Look for foreign keys.',
});

export const fixtureQuestions = [singleQuestion, multipleQuestion, codeQuestion, specialQuestion];
export const fixtureTasks = [uploadTask, simpleTask];

export const fixtureItems: InterchangeItem[] = [
  ...fixtureQuestions.map((question): InterchangeItem => ({ type: 'question', question })),
  ...fixtureTasks.map((task): InterchangeItem => ({ type: 'upload-task', task })),
];
