#!/usr/bin/env node
/**
 * `npm run oracle -- <file.json> ...`: one line per failing case, then `oracle: N passed, M failed`.
 * Exit code 1 when any case fails or a file cannot be read, 2 on usage errors.
 */
import { isStagebookError } from '../errors/stagebook-error';
import { runOracleFile } from './runner';

export async function main(argv: string[]): Promise<number> {
  const verbose = argv.includes('--verbose');
  const files = argv.filter((a) => !a.startsWith('--'));
  if (files.length === 0) {
    process.stderr.write('usage: npm run oracle -- [--verbose] <oracle-file.json> ...\n');
    return 2;
  }
  let passed = 0;
  let failed = 0;
  for (const f of files) {
    try {
      for (const r of await runOracleFile(f)) {
        if (r.ok) {
          passed++;
          if (verbose) process.stdout.write(`ok   ${r.family}/${r.id} (${r.ms.toFixed(1)} ms)\n`);
        } else {
          failed++;
          process.stdout.write(`FAIL ${r.family}/${r.id}: ${r.mismatches.join('; ')}\n`);
        }
      }
    } catch (e) {
      failed++;
      process.stdout.write(`FAIL ${f}: ${isStagebookError(e) ? e.message : String(e)}\n`);
    }
  }
  process.stdout.write(`oracle: ${passed} passed, ${failed} failed\n`);
  return failed > 0 ? 1 : 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`${String(e?.stack ?? e)}\n`);
      process.exit(1);
    },
  );
}
