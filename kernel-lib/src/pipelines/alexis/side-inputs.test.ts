/**
 * Catalogue rows in the cache keys (engine `sideInputs`, side-inputs.ts), on real SQLite catalogues:
 * correcting one GOES sample inside a flare's range re-runs that flare's resample-xrs (and what its
 * changed file feeds), a sample on an unrelated day re-runs nothing; the same for the steps 12-15
 * readers of the HEK, HARP and XRS-B rows (the catalogue fixture of catalogue-stages.test.ts).
 */
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { makeStagebookConfig } from '../../config/schema';
import { definePipeline } from '../../engine/pipeline';
import { runPipeline } from '../../engine/runner';
import { Ledger } from '../../ledger/ledger';
import { stageRunsOf } from '../../ledger/queries';
import { AlexisCatalogues, type GoesDataRow } from './catalogues';
import { FILES } from './catalogue-files';
import { FIXTURE_DIR, FIXTURE_FLARE, writeCatalogueFixture } from './catalogue-fixture.test-util';
import { CANDIDATE_FILES, CLUSTER_FLUX_TIMESERIES_SUFFIX, writeCandidateFile } from './candidate-files';
import type { ClusterFluxRow } from './candidate-schemas';
import {
  alexisCollateFluxStage,
  alexisInitFilesStage,
  alexisResampleImgStage,
  alexisResampleXrsStage,
} from './candidate-stages';
import { flareStages } from './flare-stages';
import { ImageDataAvailability, type ImageDataRow } from './image-db';
import { CATALOGUE_LEVELS, lassoStages } from './lasso-stages';
import { imageDataRow } from './image-row.test-util';

type Result = { stages: Record<string, Record<string, number>> };
const ran = (r: Result, s: string): number => r.stages[s]?.succeeded ?? 0;
const cached = (r: Result, s: string): number => r.stages[s]?.cached ?? 0;

const HOUR = 3_600_000;
/** Two flares on two days; a third day has XRS but no flare. */
const FLARES = [Date.UTC(2017, 8, 6, 12, 0, 0), Date.UTC(2017, 8, 7, 12, 0, 0)];
const UNRELATED_DAY = Date.UTC(2017, 8, 9, 12, 0, 0);
const dirOf = (ms: number): string => {
  const at = new Date(ms).toISOString().slice(0, 19).replace(/:/g, '_');
  return `alexis_data/flare_candidates/flarecandidate_X1.0_at_${at}_00.working`;
};

/** step 4's region fluxes (step 5 collates them): one AIA 131 cluster, QUALITY 0 images every 2 min over +-30 min. */
function fluxRows(peakMs: number, dir: string): ClusterFluxRow[] {
  const rows: ClusterFluxRow[] = [];
  for (let m = -30; m <= 30; m += 2) {
    const ms = peakMs + m * 60_000;
    rows.push({
      download_string: null,
      time_stamp: ms / 1000,
      data_level: 'lev1.5',
      file_name: `aia_131_${m}.fits`,
      exp_time: 2.9,
      file_size_MB: 1,
      QUALITY: 0,
      wavelength: '131',
      url: `http://127.0.0.1:1/aia/${ms}`,
      instrument: 'AIA',
      file_path: `/x/${ms}.fits`,
      wget_log_file: null,
      download_speed: null,
      cached_dict_path: null,
      telescope: 'SDO',
      img_data_max: 1,
      img_data_min: 0,
      img_flux: 1e6,
      date_time: new Date(ms).toISOString(),
      working_dir: path.basename(dir),
      x_hpc: -300,
      y_hpc: 120,
      final_cluster_label: 0,
      region_flux: 100 + 50 * Math.exp(-((m / 6) ** 2)),
      x_pix: 10,
      y_pix: 20,
      integration_pixel_bbox: [],
      integration_hpc_bbox: [],
      bbox_linear_size_arcsec: 150,
      bbox_half_linear_size_pix: 125,
    });
  }
  return rows;
}

/** Full-cadence XRS A and B (2 s) over +-40 min of `centreMs`. */
function xrsRows(centreMs: number): GoesDataRow[] {
  const rows: GoesDataRow[] = [];
  for (let s = -2400; s <= 2400; s += 2)
    for (const wavelength of ['A', 'B'] as const)
      rows.push({
        time_stamp: centreMs / 1000 + s,
        instrument: 'goes15',
        wavelength,
        value: (wavelength === 'A' ? 1e-8 : 1e-7) * (1 + Math.exp(-((s / 300) ** 2))),
      });
  return rows;
}

function setXrs(root: string, timeS: number, wavelength: 'A' | 'B', factor: number): void {
  const db = new Database(path.join(root, 'data_products', 'availability.db'));
  const n = db
    .prepare('UPDATE goes_data SET value = value * ? WHERE time_stamp = ? AND wavelength = ?')
    .run(factor, timeS, wavelength).changes;
  db.close();
  expect(n).toBe(1);
}

/** n good AIA 94 images every 12 s from `fromMs` (stage 2's image_data_availability rows). */
function imageRows(fromMs: number, n: number): ImageDataRow[] {
  return Array.from({ length: n }, (_, i) =>
    imageDataRow({ url: `aia-94-${fromMs + i * 12_000}`, time_stamp: fromMs / 1000 + 12 * i }),
  );
}

describe('ALEXIS catalogue rows in the cache keys', () => {
  it('init-files: a re-initialised image of one flare re-runs stage 3, one of an unrelated day does not', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'alexis-side-init-'));
    for (const t of FLARES) mkdirSync(path.join(root, dirOf(t)), { recursive: true });
    const imageDb = new ImageDataAvailability(path.join(root, 'data_products', 'image_data_availability.db'));
    imageDb.replaceImages([...FLARES, UNRELATED_DAY].flatMap((t) => imageRows(t - 5 * 60_000, 20).map((r) => [r])));
    imageDb.close();
    await writeFile(path.join(root, 'data_products', 'initialize.json'), '{}');
    const stage3 = definePipeline({
      name: 'alexis-side-stage-3',
      levels: ['L3'],
      stages: [{ ...alexisInitFilesStage, after: undefined }],
    });
    const config = makeStagebookConfig(
      {
        root,
        inputs: { dir: 'data_products', pattern: 'initialize.json' },
        options: { mainDataDir: 'alexis_data', dataProducts: 'data_products' },
        stages: { 'init-files': { minGoodAia: 5 } },
      },
      root,
    );
    const first = await runPipeline(stage3, config);
    expect(first.failures).toEqual([]);
    expect(first.stages).toEqual({ 'init-files': { succeeded: 1 } });
    const initOf = (t: number): string => readFileSync(path.join(root, dirOf(t), CANDIDATE_FILES.initFiles), 'utf8');
    const before = FLARES.map(initOf);
    expect(before[0].split('\n').length).toBeGreaterThan(20);
    expect((await runPipeline(stage3, config)).stages).toEqual({ 'init-files': { cached: 1 } });

    // re-initialising an unrelated day (rows outside both flares' windows): nothing re-runs
    const db = new ImageDataAvailability(path.join(root, 'data_products', 'image_data_availability.db'));
    db.replaceImages(imageRows(UNRELATED_DAY + HOUR, 3).map((r) => [r]));
    expect((await runPipeline(stage3, config)).stages).toEqual({ 'init-files': { cached: 1 } });

    // one image of the first flare re-measured: stage 3 re-runs; only that flare's init table changes
    const [img] = imageRows(FLARES[0] - 5 * 60_000, 1);
    db.replaceImages([[{ ...img, img_flux: 11 }]]);
    db.close();
    expect((await runPipeline(stage3, config)).stages).toEqual({ 'init-files': { succeeded: 1 } });
    expect(initOf(FLARES[0])).not.toBe(before[0]);
    expect(initOf(FLARES[1])).toBe(before[1]);
  }, 120_000);

  const steps67 = definePipeline({
    name: 'alexis-side-steps-6-7',
    levels: ['L4'],
    stages: [{ ...alexisCollateFluxStage, after: undefined }, alexisResampleXrsStage, alexisResampleImgStage],
  });

  it('resample-xrs: a corrected sample re-runs only its flare; an unrelated day re-runs nothing', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'alexis-side-'));
    for (const t of FLARES)
      await writeCandidateFile(
        'clusterFluxTimeseries',
        path.join(root, dirOf(t), `AIA_131.cluster.0${CLUSTER_FLUX_TIMESERIES_SUFFIX}`),
        fluxRows(t, dirOf(t)),
      );
    const cat = new AlexisCatalogues(path.join(root, 'data_products', 'availability.db'));
    for (const t of [...FLARES, UNRELATED_DAY]) cat.completeWindow({ source: 'goes', rows: xrsRows(t) }, `${t}`, 'x');
    cat.close();
    const config = makeStagebookConfig(
      {
        root,
        inputs: { dir: '.', pattern: `**/*${CLUSTER_FLUX_TIMESERIES_SUFFIX}` },
        options: { mainDataDir: 'alexis_data', dataProducts: 'data_products' },
      },
      root,
    );
    const first = await runPipeline(steps67, config);
    expect(first.failures).toEqual([]);
    expect([ran(first, 'resample-xrs'), ran(first, 'resample-img')]).toEqual([2, 2]);
    const allCached = { 'collate-flux': { cached: 2 }, 'resample-xrs': { cached: 2 }, 'resample-img': { cached: 2 } };
    expect((await runPipeline(steps67, config)).stages).toEqual(allCached);

    // one B sample 5 minutes after the first flare's peak, corrected (x3)
    const xrsFile = path.join(root, dirOf(FLARES[0]), CANDIDATE_FILES.resampledXrs);
    const before = readFileSync(xrsFile, 'utf8');
    setXrs(root, FLARES[0] / 1000 + 300, 'B', 3);
    const fixed = await runPipeline(steps67, config);
    expect(fixed.stages).toEqual({
      'collate-flux': { cached: 2 },
      'resample-xrs': { succeeded: 1, cached: 1 },
      'resample-img': { succeeded: 1, cached: 1 },
    });
    expect(readFileSync(xrsFile, 'utf8')).not.toBe(before);
    const ledger = Ledger.open(path.join(root, '.stagebook', 'ledger.db'));
    const rows = stageRunsOf(ledger, fixed.runId).filter((r) => r.stage === 'resample-xrs');
    ledger.close();
    const redone = rows.find((r) => r.status === 'succeeded');
    expect(redone?.unit).toContain(path.basename(dirOf(FLARES[0])));
    const side = JSON.parse(redone?.side_inputs_json ?? '[]') as { path: string; sha256: string }[];
    expect(side).toHaveLength(1);
    // the image time range [first, last QUALITY 0 image) of that flare: peak -30 .. +30 min
    expect(side[0].path).toBe('data_products/availability.db#goes_data[2017-09-06T11:30:00Z,2017-09-06T12:30:00Z)');
    expect(side[0].sha256).toMatch(/^[0-9a-f]{64}$/);

    // re-onboarding an unrelated day (a corrected sample, new rows): nothing re-runs
    setXrs(root, UNRELATED_DAY / 1000, 'A', 2);
    const cat2 = new AlexisCatalogues(path.join(root, 'data_products', 'availability.db'));
    cat2.completeWindow({ source: 'goes', rows: xrsRows(UNRELATED_DAY + 6 * HOUR) }, 'later', 'x');
    cat2.close();
    expect((await runPipeline(steps67, config)).stages).toEqual(allCached);
  }, 120_000);

  it('known-flares and goes-class: HEK, HARP and XRS-B rows of the flare are keyed, other days are not', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'alexis-side-cat-'));
    await writeCatalogueFixture(root);
    const pipeline = definePipeline({
      name: 'alexis-side-catalogue',
      levels: CATALOGUE_LEVELS,
      stages: [...lassoStages(), ...flareStages()],
    });
    const config = makeStagebookConfig({ root, inputs: { dir: '.', pattern: '**/resampled_img_df_v3.csv' } }, root);
    const first = await runPipeline(pipeline, config);
    expect(first.failures).toEqual([]);
    const dbFile = path.join(root, 'data_products', 'availability.db');

    // another day: HEK, HARP and XRS rows far from the flare
    const far = FIXTURE_FLARE.peakMs + 3 * 24 * HOUR;
    const cat = new AlexisCatalogues(dbFile);
    const hekRow = {
      kb_archivid: 'ivo://fixture/far',
      event_starttime: new Date(far - 600_000).toISOString(),
      event_peaktime: new Date(far).toISOString(),
      event_endtime: new Date(far + 600_000).toISOString(),
      fl_goescls: 'M1.0',
      hpc_x: 0,
      hpc_y: 0,
      ar_noaanum: null,
      frm_name: 'SWPC',
    };
    cat.completeWindow({ source: 'hek', rows: [hekRow] }, 'far', 'x');
    const harp = { HARPNUM: 999, T_REC: new Date(far).toISOString(), NOAA_AR: 1, NOAA_ARS: '1' };
    cat.completeWindow(
      { source: 'harps', rows: [{ ...harp, LAT_MIN: 0, LAT_MAX: 1, LON_MIN: 0, LON_MAX: 1 }] },
      'far',
      'x',
    );
    cat.completeWindow({ source: 'goes', rows: xrsRows(far) }, 'far', 'x');
    cat.close();
    const unrelated = await runPipeline(pipeline, config);
    for (const s of Object.keys(unrelated.stages)) expect([s, ran(unrelated, s)]).toEqual([s, 0]);

    // one XRS-B sample 10 min after the peak (inside goes-class's +-60 min, not in step 8's input)
    setXrs(root, FIXTURE_FLARE.peakMs / 1000 + 600, 'B', 1.5);
    const xrs = await runPipeline(pipeline, config);
    // goes-class and what reads its file (each file carries its run's provenance) re-run, nothing else
    const upstream = {
      'gridsearch-normalize': { cached: 1 },
      'lasso-fit': { cached: 7 },
      'lasso-collate': { cached: 1 },
      'fit-select': { cached: 1 },
    };
    expect(xrs.stages).toEqual({
      ...upstream,
      'known-flares': { cached: 1 },
      'alexis-peaks': { cached: 1 },
      'harp-association': { cached: 1 },
      'goes-class': { succeeded: 1 },
      'hek-report': { succeeded: 1 },
      catalogue: { succeeded: 1 },
    });

    // the flare's HEK row corrected: known-flares re-runs (and its changed file's consumers)
    const db = new Database(dbFile);
    db.prepare("UPDATE known_flares SET fl_goescls = 'C5.0' WHERE kb_archivid = 'ivo://fixture/1'").run();
    db.close();
    const hek = await runPipeline(pipeline, config);
    expect(hek.stages).toEqual({
      ...upstream,
      'known-flares': { succeeded: 1 },
      'alexis-peaks': { cached: 1 },
      'harp-association': { succeeded: 1 },
      'goes-class': { succeeded: 1 },
      'hek-report': { succeeded: 1 },
      catalogue: { succeeded: 1 },
    });
    const report = JSON.parse(readFileSync(path.join(root, 'data_products', 'alexis_catalogue.json'), 'utf8')) as {
      id_team: string;
      goes_class: string;
    }[];
    expect(report.find((r) => r.id_team === 'SWPC')?.goes_class).toBe('C5.0');

    const ledger = Ledger.open(path.join(root, '.stagebook', 'ledger.db'));
    const kf = stageRunsOf(ledger, hek.runId).find((r) => r.stage === 'known-flares');
    ledger.close();
    expect((JSON.parse(kf?.side_inputs_json ?? '[]') as { path: string }[]).map((s) => s.path)).toEqual([
      'data_products/availability.db#known_flares(2011-02-08T09:40:00Z,2011-02-08T10:20:00Z)',
      'data_products/availability.db#harps[2011-02-08T10:00:00Z +-60 min]',
    ]);

    // a HARP record 10 min from the flare: the widening stops at 30 min, known-flares re-runs
    const cat3 = new AlexisCatalogues(dbFile);
    const near = { ...harp, HARPNUM: 371, T_REC: new Date(FIXTURE_FLARE.peakMs + 600_000).toISOString() };
    const box = { LAT_MIN: 0, LAT_MAX: 1, LON_MIN: 0, LON_MAX: 1 };
    cat3.completeWindow({ source: 'harps', rows: [{ ...near, ...box }] }, 'n', 'x');
    cat3.close();
    const narrowed = await runPipeline(pipeline, config);
    expect([ran(narrowed, 'known-flares'), cached(narrowed, 'alexis-peaks')]).toEqual([1, 1]);
    const dir = path.join(root, FIXTURE_DIR);
    expect(JSON.parse(readFileSync(path.join(dir, FILES.harps), 'utf8')).drms_query_time).toBe(30);
  }, 300_000);
});
