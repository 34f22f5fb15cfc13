/**
 * Every oracle fixture, case by case, through the public API (the same code path as
 * `npm run oracle`). Fixtures are copies of ../shared/oracle (public split).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readOracleFile, runCase } from '../kernel-lib/src/oracle/runner';

const dir = join(__dirname, 'fixtures', 'oracle');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort();

describe.each(files)('oracle %s', (name) => {
  const path = join(dir, name);
  const file = readOracleFile(path);
  it('declares as many cases as it holds', () => {
    expect(file.cases.length).toBe(file.n_cases ?? file.cases.length);
  });
  it.each(file.cases.map((c) => [c.id, c] as const))('%s', async (_id, c) => {
    const r = await runCase(path, file, c);
    expect(r.mismatches).toEqual([]);
  });
});
