/**
 * Child-process entry of the in-process executor: `node processor-main.js FLOW_ID...` with the
 * parsed punch config in PUNCH_CONFIG_JSON. Runs processFlow for each flow (a batch runs in order)
 * and prints one JSON line per flow. Exit 0 when every flow completed, 1 otherwise.
 */
import { openDatabase } from '../../ledger/db';
import { isStagebookError } from '../../errors/stagebook-error';
import { punchConfigSchema } from './config';
import { MISSION_SEGMENTS } from './mission/segments';
import { processFlow } from './processor';

async function main(): Promise<number> {
  const config = punchConfigSchema.parse(JSON.parse(process.env.PUNCH_CONFIG_JSON ?? 'null'));
  const db = openDatabase(config.database);
  let ok = true;
  try {
    for (const arg of process.argv.slice(2)) {
      const r = await processFlow(db, Number(arg), { config, segments: MISSION_SEGMENTS });
      process.stdout.write(`${JSON.stringify(r)}\n`);
      ok &&= r.state === 'completed';
    }
  } finally {
    db.close();
  }
  return ok ? 0 : 1;
}

main().then(
  (code) => (process.exitCode = code),
  (e) => {
    process.stderr.write(`punch processor: ${isStagebookError(e) ? `${e.code}: ` : ''}${(e as Error).message}\n`);
    process.exitCode = 1;
  },
);
