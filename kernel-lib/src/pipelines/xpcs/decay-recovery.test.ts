/**
 * Decay-time recovery through the whole pipeline (xpcs-corr + xpcs-fit) on a simulated dataset
 * from a non-ideal detector: dark current, pixel efficiencies (flat field), read noise, and
 * frame averaging. corr's preprocessing (dark subtraction, lld/sigma threshold, flat field,
 * avg_frames) must undo the detector so that the fitted taus still match the generator's.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPipeline } from '../../engine/runner';
import { readXpcsCorrConfig } from '../../formats/xpcs/corr-config';
import { writeSimulatedXpcsDataset } from './dataset';
import { readXpcsReport } from './fit-stage';
import { xpcsPipeline, xpcsProducts, xpcsWorkspaceConfig } from './pipeline';

describe('decay times through a non-ideal detector', () => {
  it('dark + flat field + read noise + avg_frames 2: fitted taus within 3 error bars of the truth', async () => {
    const root = mkdtempSync(join(tmpdir(), 'xpcs-detector-'));
    const ds = await writeSimulatedXpcsDataset(join(root, 'raw', 'det'), 'det', {
      frames: 480,
      size: 48,
      seed: 2026,
      detector: { darkFrames: 20, avgFrames: 2 },
    });
    const s = (await readXpcsCorrConfig(ds.config)).settings;
    expect([s.darkBeginTodo, s.darkEndTodo, s.avgFrames, s.flatfield !== null, s.lld > 0]).toEqual([
      1,
      20,
      2,
      true,
      true,
    ]);
    const run = await runPipeline(
      xpcsPipeline,
      xpcsWorkspaceConfig(root, { stages: { 'xpcs-corr': { twoTime: false, threads: 1 } } }),
      { inputFiles: [ds.imm, ds.config] },
    );
    expect(run.status).toBe('succeeded');
    const report = await readXpcsReport(xpcsProducts(run)[0].report);
    expect(report.frames).toBe(240);
    for (const f of report.fits) {
      const trueTau = ds.truth.rings[f.bin - 1].tauFrames / ds.truth.framesPerPoint;
      expect(Math.abs(f.tau - trueTau), `q bin ${f.bin}: ${f.tau} +- ${f.tauErr} vs ${trueTau}`).toBeLessThanOrEqual(
        3 * f.tauErr,
      );
      expect(f.tauSeconds).toBeCloseTo(f.tau * ds.truth.exposurePeriod * 2, 12);
    }
  });
});
