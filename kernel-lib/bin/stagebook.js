#!/usr/bin/env node
/**
 * The `stagebook` bin. Committed (not built) because npm links a package's bins BEFORE the root
 * postinstall builds `dist/`: a bin pointing into `dist/` is skipped on a fresh `npm ci` and
 * `npx stagebook` then fails with "stagebook: not found" (platform notes, known traps).
 */
'use strict';
const fs = require('fs');
const path = require('path');

const entry = path.join(__dirname, '..', 'dist', 'cli', 'main.js');
if (!fs.existsSync(entry)) {
  process.stderr.write(`stagebook: the library is not built (${entry} is missing); run \`npm run build\`\n`);
  process.exit(70);
}
require(entry).runFromCommandLine();
