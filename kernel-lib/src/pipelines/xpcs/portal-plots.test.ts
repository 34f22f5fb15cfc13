/**
 * The portal PNGs of a results file, named as gladier-xpcs xpcs_plots.py names them (3x3 g2
 * pages by q index range, fit pages, fit parameters), rendered headless to real PNG files.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeSimulatedXpcsDataset } from './dataset';
import { correlateXpcsFile } from './corr-file';
import { writeXpcsPortalPngs } from './portal-plots';

describe('writeXpcsPortalPngs', () => {
  it('writes every portal figure as a PNG, g2 pages of 9 q bins', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xpcs-png-'));
    const ds = await writeSimulatedXpcsDataset(join(dir, 'raw'), 'A001', { frames: 128, size: 40, rings: 12, seed: 1 });
    const res = await correlateXpcsFile(ds.config, { output: join(dir, 'A001_results.hdf'), fits: true });
    const files = await writeXpcsPortalPngs(res.output!, { outDir: join(dir, 'plots') });
    expect(files.map((f) => basename(f)).sort()).toEqual([
      'A001_results_corr_params.png',
      'A001_results_g2_corr_000_008.png',
      'A001_results_g2_corr_009_011.png',
      'A001_results_g2_corr_fit000_008.png',
      'A001_results_g2_corr_fit009_011.png',
      'A001_results_intensity.png',
      'A001_results_intensity_t.png',
      'scattering_pattern_lin.png',
      'scattering_pattern_log.png',
      'total_intensity_vs_time.png',
    ]);
    for (const f of files) {
      const b = readFileSync(f);
      expect(b.subarray(1, 4).toString('latin1'), f).toBe('PNG');
      expect(b.length).toBeGreaterThan(2000);
    }
  });
});
