// Writes openapi.json from the route schemas. CI fails when the committed file differs.
import fs from 'node:fs';
import { generateOpenApi } from '../server/http/openapi-document.js';

const doc = await generateOpenApi();
fs.writeFileSync('openapi.json', `${JSON.stringify(doc, null, 2)}\n`);
process.stdout.write(
  `openapi.json written (${Object.keys((doc as { paths: object }).paths).length} paths)\n`,
);
