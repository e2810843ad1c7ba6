// `npm start`: build what is missing or stale, then serve (migrations and the first-run owner happen
// inside `assay serve`). Extra arguments pass through: `npm start -- --role web`.
import { buildIfStale } from './build.mjs';

buildIfStale();
process.argv = [process.argv[0], 'dist/server/main.js', 'serve', ...process.argv.slice(2)];
await import('../dist/server/main.js');
