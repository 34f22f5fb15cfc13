import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fileCounts, flowCounts } from './control-db';
import { runUntilIdle } from './daemon';
import { InProcessExecutor } from './in-process-executor';
import { modelSky } from './mission/images';
import { readProduct } from './mission/products';
import { MISSION_SEGMENTS } from './mission/segments';
import { ingestL0, simulateL0 } from './mission/simulate';
import { productPath, quicklookPath, shaPath } from './naming';
import { punchSandbox } from './testing-fixtures';

const T0 = Date.UTC(2026, 0, 10, 6, 0, 0);

describe('the simulated mission, end to end (inline executor)', () => {
  it('takes 2 observations x 4 observatories x 4 types from L0 through L1, Q, L2 and L3; L2 recovers the model B and pB', async () => {
    const { db, config } = punchSandbox({ products: { quicklook: true, sha: true } });
    const rows = simulateL0({ root: config.root, start: T0, slots: 2, size: 48, seed: 3 });
    expect(ingestL0(db, rows)).toEqual({ inserted: 32, duplicates: 0 });
    const executor = new InProcessExecutor(config, { isolation: 'inline', db });
    const r = await runUntilIdle({ db, config, executor, segments: MISSION_SEGMENTS }, { now: () => T0 + 3_600_000 });
    expect(r.idle).toBe(true);
    expect(flowCounts(db).map((f) => [f.flow_type, f.state, f.n])).toEqual([
      ['level1', 'completed', 32],
      ['level2', 'completed', 4],
      ['level3', 'completed', 4],
      ['levelq', 'completed', 2],
    ]);
    expect(fileCounts(db).map((f) => [f.level, f.state, f.n])).toEqual([
      ['0', 'progressed', 32],
      ['1', 'progressed', 32],
      ['2', 'progressed', 4],
      ['3', 'created', 4],
      ['Q', 'created', 2],
    ]);
    const pt = productPath(config.root, {
      level: '2',
      file_type: 'PT',
      observatory: 'M',
      date_obs: T0,
      file_version: '0',
    });
    for (const f of [pt, quicklookPath(pt), shaPath(pt)]) expect(existsSync(f), f).toBe(true);
    const im = readProduct(pt);
    expect(im.shape).toEqual([2, 48, 48]);
    const relB: number[] = [];
    const relPB: number[] = [];
    for (let row = 0; row < 48; row++)
      for (let col = 0; col < 48; col++) {
        const r2 = Math.hypot(row - 23.5, col - 23.5) / 24;
        if (r2 < 0.4 || r2 > 0.85) continue;
        const m = modelSky(48, row, col, 0);
        relB.push(Math.abs(im.data[row * 48 + col] / m.B - 1));
        relPB.push(Math.abs(im.data[48 * 48 + row * 48 + col] / m.pB - 1));
      }
    const median = (v: number[]): number => v.sort((a, b) => a - b)[Math.floor(v.length / 2)];
    expect(median(relB)).toBeLessThan(0.01);
    expect(median(relPB)).toBeLessThan(0.01);
    db.close();
  });
});
