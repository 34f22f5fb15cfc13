/**
 * The catalogue must be right (issue 14 item 5): the whole `alexis` pipeline (onboarding, downloads,
 * cleaning, stage 3, stage 4 steps 1-16) on a simulated day with six injected flares, B to X class:
 * two overlapping in time in different active regions, one beside a bright non-flaring region, one
 * inside a data gap of one AIA channel. Every injected flare must be recovered (peak within 1 min,
 * position within 50", class letter right and magnitude within 10 %), and no catalogue entry above
 * C1 may match no injected flare. Run under `flock /tmp/alexis-41873.lock` like every ALEXIS test.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeStagebookConfig } from '../kernel-lib/src/config/schema';
import { runPipeline } from '../kernel-lib/src/engine/runner';
import { startLocalArchive } from '../kernel-lib/src/local-archive/server';
import { goesClassFlux } from '../kernel-lib/src/testing/solar/scene';
import { neutralCalibrationCsv } from '../kernel-lib/src/testing/solar/calibration';
import { alexisPipeline } from '../kernel-lib/src/pipelines/alexis/pipeline';
import type { ReportRow } from '../kernel-lib/src/pipelines/alexis/flare-steps';
import { RECOVERY_FLARES, RECOVERY_GAPS, matchCatalogue } from '../kernel-lib/src/testing/solar/recovery';

describe('ALEXIS catalogue recovery', () => {
  it('recovers every injected flare and invents none above C1', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'alexis-recovery-'));
    const archive = await startLocalArchive({
      port: 0,
      sun: { aiaScale: 128, aiaCadenceSeconds: 12, scene: { flares: RECOVERY_FLARES, gaps: RECOVERY_GAPS } },
    });
    try {
      const csv = neutralCalibrationCsv();
      writeFileSync(path.join(root, 'degradation.csv'), csv.degradation);
      writeFileSync(path.join(root, 'effective_area.csv'), csv.effectiveArea);
      writeFileSync(path.join(root, 'alexis.yaml'), '# catalogue recovery day\n');
      const config = makeStagebookConfig(
        {
          root,
          inputs: { dir: '.', pattern: 'alexis.yaml' }, // the config is the source input (docs/alexis.md)
          options: {
            archives: {
              jsoc: `${archive.url}jsoc`,
              sxi: `${archive.url}ncei-sxi`,
              xrs: `${archive.url}noaa-xrs`,
              hek: `${archive.url}hek`,
            },
          },
          stages: {
            onboard: { start: '2011-02-08T00:00:00Z', end: '2011-02-09T00:00:00Z' },
            download: { flares: RECOVERY_FLARES.map((f) => ({ class: f.goesClass, time: f.peak })) },
            initialize: { degradationTable: 'degradation.csv', effectiveAreaTable: 'effective_area.csv' },
            'cluster-flux': { degradationTable: 'degradation.csv', effectiveAreaTable: 'effective_area.csv' },
          },
        },
        root,
      );
      const run = await runPipeline(alexisPipeline, config);
      expect(run.failures).toEqual([]);
      expect(run.status).toBe('succeeded');
      const catalogue = JSON.parse(
        readFileSync(path.join(root, 'data_products', 'alexis_catalogue.json'), 'utf8'),
      ) as ReportRow[];
      const m = matchCatalogue(RECOVERY_FLARES, catalogue);
      for (const f of m.flares) expect(f.recovered, JSON.stringify(f)).not.toBeNull();
      expect(m.spurious.filter((r) => goesClassFlux(r.goes_class as string) > 1e-6)).toEqual([]);
    } finally {
      await archive.close();
    }
  }, 1_800_000);
});
