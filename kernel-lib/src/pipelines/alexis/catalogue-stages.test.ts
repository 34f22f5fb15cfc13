import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { makeStagebookConfig } from '../../config/schema';
import { definePipeline } from '../../engine/pipeline';
import { runPipeline } from '../../engine/runner';
import { Ledger } from '../../ledger/ledger';
import { queryFiles } from '../../ledger/queries';
import { FILES } from './catalogue-files';
import { FIXTURE_DIR, FIXTURE_FLARE, writeCatalogueFixture } from './catalogue-fixture.test-util';
import { flareStages } from './flare-stages';
import { CATALOGUE_LEVELS, lassoStages } from './lasso-stages';
import type { ReportRow } from './flare-steps';

const pipeline = definePipeline({
  name: 'alexis-catalogue-test',
  levels: CATALOGUE_LEVELS,
  stages: [...lassoStages(), ...flareStages()],
});

function config(root: string, stages: Record<string, unknown> = {}) {
  return makeStagebookConfig({ root, inputs: { dir: '.', pattern: '**/resampled_img_df_v3.csv' }, stages }, root);
}

const ran = (r: { stages: Record<string, Record<string, number>> }, s: string): number => r.stages[s]?.succeeded ?? 0;
const cached = (r: { stages: Record<string, Record<string, number>> }, s: string): number => r.stages[s]?.cached ?? 0;

describe('ALEXIS steps 8-16 as stages', () => {
  it('writes the named files, recovers the flare, reruns only what a parameter change affects', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'alexis-cat-'));
    await writeCatalogueFixture(root);
    const first = await runPipeline(pipeline, config(root));
    expect(first.failures).toEqual([]);
    expect(first.status).toBe('succeeded');
    // 3 clusters: 7 subsets, one gridsearch file and one LASSO file each
    expect(ran(first, 'gridsearch-normalize')).toBe(1);
    expect(ran(first, 'lasso-fit')).toBe(7);
    const dir = path.join(root, FIXTURE_DIR);
    for (const f of [
      FILES.gridsearch(6),
      FILES.lassoOf(FILES.gridsearch(6)),
      FILES.lassoDf,
      FILES.distance,
      FILES.bestFits,
    ])
      expect(readFileSync(path.join(dir, f), 'utf8').length).toBeGreaterThan(10);
    const ev = JSON.parse(readFileSync(path.join(dir, FILES.eventFit), 'utf8'));
    expect(ev.fit.gridsearch_clusters).toEqual([0]);
    const harps = JSON.parse(readFileSync(path.join(dir, FILES.harps), 'utf8'));
    expect(harps.drms_query_time).toBe(60); // no HARP record within 30 min, some within 60

    const cat = JSON.parse(
      readFileSync(path.join(root, 'data_products', 'alexis_catalogue.json'), 'utf8'),
    ) as ReportRow[];
    const alexis = cat.filter((r) => r.id_team === 'ALEXIS');
    expect(alexis).toHaveLength(1);
    const a = alexis[0];
    expect(Math.abs(Date.parse(a.peak_time as string) - FIXTURE_FLARE.peakMs)).toBeLessThanOrEqual(60_000);
    expect(Math.hypot(a.hpc_x - FIXTURE_FLARE.x, a.hpc_y - FIXTURE_FLARE.y)).toBeLessThan(50);
    expect(a.goes_class).toBe('C4');
    expect(a.HARPNUM).toEqual([370]);
    expect(a.AR_num).toEqual([11150]);
    expect(a.search_instrument).toMatch(/^SDO-(131|171)-goes15-[AB]$/);
    expect(a.run_id).toBe(first.runId);
    expect(a.stage_versions).toMatchObject({ 'lasso-fit': 1, 'hek-report': 1 });
    expect(a.params).toMatchObject({ 'fit-select': { coeffThreshold: 0.1 }, 'lasso-fit': { lambdaCount: 50 } });
    const hek = cat.filter((r) => r.id_team === 'SWPC');
    expect(hek).toHaveLength(1);
    expect(hek[0].HARPNUM).toEqual([370]);
    const db = new Database(path.join(root, 'data_products', 'alexis_catalogue.db'), { readonly: true });
    expect(db.prepare("SELECT goes_class, HARPNUM FROM alexis_catalogue WHERE id_team = 'ALEXIS'").all()).toEqual([
      { goes_class: 'C4', HARPNUM: '[370]' },
    ]);
    db.close();
    expect(readFileSync(path.join(root, 'data_products', 'alexis_catalogue.csv'), 'utf8').split('\n')[0]).toMatch(
      /^event_date,peak_time,goes_class,AR_num,hpc_x,hpc_y,hpc_bbox_poly,id_team,HARPNUM,search_instrument/,
    );

    // A rerun does nothing.
    const again = await runPipeline(pipeline, config(root));
    expect(Object.keys(again.stages).every((s) => ran(again, s) === 0)).toBe(true);
    expect(cached(again, 'lasso-fit')).toBe(7);

    // Step 11's threshold: steps 8-10 stay cached.
    const sel = await runPipeline(pipeline, config(root, { 'fit-select': { coeffThreshold: 0.2 } }));
    expect(ran(sel, 'gridsearch-normalize') + ran(sel, 'lasso-fit') + ran(sel, 'lasso-collate')).toBe(0);
    expect(ran(sel, 'fit-select')).toBe(1);
    expect(ran(sel, 'catalogue')).toBe(1);

    // Step 9's lam grid: step 8 stays cached, every subset is refitted.
    const lam = await runPipeline(
      pipeline,
      config(root, { 'fit-select': { coeffThreshold: 0.2 }, 'lasso-fit': { lambdaCount: 20 } }),
    );
    expect(cached(lam, 'gridsearch-normalize')).toBe(1);
    expect(ran(lam, 'lasso-fit')).toBe(7);
    const row = (
      JSON.parse(readFileSync(path.join(root, 'data_products', 'alexis_catalogue.json'), 'utf8')) as ReportRow[]
    ).find((r) => r.id_team === 'ALEXIS') as ReportRow;
    expect(row.run_id).toBe(lam.runId);
    expect(row.params).toMatchObject({ 'lasso-fit': { lambdaCount: 20 }, 'fit-select': { coeffThreshold: 0.2 } });

    // Provenance in the ledger: every flare report written by a hek-report below version 2.
    const ledger = Ledger.open(path.join(root, '.stagebook', 'ledger.db'));
    try {
      const reports = queryFiles(ledger, { stage: 'hek-report', versionLt: 2 }).filter((f) =>
        f.path.endsWith(FILES.report),
      );
      expect(reports.map((f) => path.basename(path.dirname(f.path)))).toEqual([path.basename(FIXTURE_DIR)]);
      expect(queryFiles(ledger, { stage: 'hek-report', versionLt: 1 })).toEqual([]);
    } finally {
      ledger.close();
    }
  }, 120_000);

  it('fits in worker threads (lasso-fit threads: 2, engine concurrency 2) with the same results', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'alexis-cat-workers-'));
    await writeCatalogueFixture(root);
    const inline = await runPipeline(pipeline, config(root));
    const rowsOf = (): unknown[] =>
      [0, 1, 2, 3, 4, 5, 6].map(
        (k) => JSON.parse(readFileSync(path.join(root, FIXTURE_DIR, FILES.lassoOf(FILES.gridsearch(k))), 'utf8')).rows,
      );
    const before = rowsOf();
    const cfg = makeStagebookConfig(
      {
        root,
        inputs: { dir: '.', pattern: '**/resampled_img_df_v3.csv' },
        stages: { 'lasso-fit': { threads: 2 } },
        engine: { concurrency: 2 },
      },
      root,
    );
    const workers = await runPipeline(pipeline, cfg);
    expect([inline.status, workers.status]).toEqual(['succeeded', 'succeeded']);
    expect(ran(workers, 'lasso-fit')).toBe(7);
    expect(rowsOf()).toEqual(before);
  }, 120_000);
});
