/**
 * ALEXIS stage 4 steps 12-16 and the catalogue as engine stages (after fit-select, lasso-stages.ts):
 *   best_of_the_rest_fit_vote_w_lowpass_filter_v4.json
 *     --known-flares (map)--> known_flares.json, drms_harp_availability.json, span_of_available_harps.json
 *     --alexis-peaks (map)--> defined_flare_peaks_w_best_fit_180s_window_v4.json
 *   --harp-association (merge per dir)--> defined_flares_w_harp_v4.json
 *   --goes-class (map)--> defined_flares_w_harp_meta_and_goes_flare_class_v4.json
 *   --hek-report (merge per dir)--> first_hek_report_v4.json / .csv
 *   --catalogue (merge all)--> <dataProducts>/alexis_catalogue.json / .csv / .db (table alexis_catalogue)
 * Known flares, HARP records and the full-cadence XRS come from the onboarding catalogue
 * (<dataProducts>/availability.db), the local copy of the HEK, JSOC and NOAA archives that stages
 * 1-3 also read (ALEXIS queries HEK and DRMS here; the catalogue holds the same rows).
 * The rows a unit reads are in its cache key (engine `sideInputs` hook, side-inputs.ts), as a
 * digest of exactly those rows: known-flares keys the known_flares rows peaking in its window and
 * the HARP rows of the widened window it settles on (with that window); goes-class keys the XRS-B
 * rows of +-xrsMinutes. Re-onboarding re-runs the units whose rows changed, and nothing else.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { defineStage, type AnyStage, type StageContext } from '../../engine/stage';
import { StagebookError } from '../../errors/stagebook-error';
import { alexisFlareNaming } from '../../workdirs/naming';
import { AlexisCatalogues, type HarpRow } from './catalogues';
import { FILES, eventFitFileSchema, gridsearchFileSchema, pairKey, readCatalogueFile } from './catalogue-files';
import { besideInput, byWorkingDir, extendProvenance } from './catalogue-provenance';
import { reportCsv, writeReportSqlite } from './catalogue-report';
import { harpSpanFileSchema, knownFlaresFileSchema, reportFileSchema } from './flare-files';
import {
  associateRows,
  classifyRows,
  defineFlarePeaks,
  flareFileSchema,
  hekReport,
  type FlareFile,
} from './flare-steps';
import { harpSpans, solarRadiusArcsec, widenHarpWindow } from './harp-association';
import { canonicalRows, isoSecond, sideInput } from './side-inputs';

/** Stage versions (bump when what a stage writes changes; recorded in the ledger and in every row). */
export const FLARE_STAGE_VERSIONS = {
  'known-flares': 1,
  'alexis-peaks': 1,
  'harp-association': 1,
  'goes-class': 1,
  'hek-report': 1,
  catalogue: 1,
};
type Versions = typeof FLARE_STAGE_VERSIONS;

const none = z.strictObject({}) as never;

function catalogue(ctx: Pick<StageContext<unknown>, 'options' | 'root' | 'stage'>): AlexisCatalogues {
  const products = (ctx.options as { dataProducts?: string }).dataProducts ?? 'data_products';
  const file = path.resolve(ctx.root, products, 'availability.db');
  if (!existsSync(file))
    throw new StagebookError('E_FILE_NOT_FOUND', `${ctx.stage}: catalogue ${file} does not exist (run onboard first)`, {
      where: ctx.stage,
      file,
    });
  return new AlexisCatalogues(file, { readonly: true });
}

function flareTimeMs(inputPath: string): number {
  return alexisFlareNaming.parse(path.basename(path.dirname(inputPath))).time.getTime();
}

const inputNamed = (ctx: StageContext<unknown>, name: string): string => {
  const f = ctx.inputs.find((i) => path.basename(i.path) === name);
  if (!f)
    throw new StagebookError('E_NO_INPUTS', `${ctx.stage}: ${ctx.unit} has no ${name}`, {
      where: ctx.stage,
      file: name,
    });
  return f.path;
};

type KnownFlaresParams = { imageMinutes: number; sxiMinutes: number };

/** What a known-flares unit reads: its event fit, the HEK rows peaking in its window, the widened HARP window. */
type CatalogueReader<P> = Pick<StageContext<P>, 'options' | 'root' | 'stage' | 'input' | 'params'>;

function knownFlaresRead(ctx: CatalogueReader<KnownFlaresParams>) {
  const ev = readCatalogueFile(ctx.input.path, eventFitFileSchema);
  const t = flareTimeMs(ctx.input.path);
  const half = (ev.fit?.pair.img_instrument === 'SXI' ? ctx.params.sxiMinutes : ctx.params.imageMinutes) * 60_000;
  const cat = catalogue(ctx);
  try {
    const known = cat.knownFlares().filter((k) => {
      const p = k.event_peaktime ? Date.parse(k.event_peaktime.replace(' ', 'T')) : NaN;
      return p > t - half && p < t + half;
    });
    const harps = cat.db.prepare('SELECT * FROM harps ORDER BY HARPNUM, T_REC').all() as HarpRow[];
    return { ev, t, half, known, harpWindow: widenHarpWindow(harps, t), file: cat.file };
  } finally {
    cat.close();
  }
}

function knownFlaresStage(V: Versions): AnyStage {
  return defineStage<KnownFlaresParams>({
    name: 'known-flares',
    version: V['known-flares'],
    kind: 'split', // two outputs
    level: 'L4',
    product: 'alexis-known-flares',
    usesCore: false,
    after: ['fit-select'],
    accepts: `**/${FILES.eventFit}`,
    params: z.strictObject({
      imageMinutes: z
        .number()
        .positive()
        .default(20)
        .describe('Known flares peaking within +- this of the flare (AIA)'),
      sxiMinutes: z.number().positive().default(40).describe('The same when the fit used SXI'),
    }),
    description: 'Step 12: known (HEK) flares of the window and the HARPs (windows widening 30..1400 min)',
    sideInputs(ctx) {
      const r = knownFlaresRead(ctx);
      const range = `(${isoSecond(r.t - r.half)},${isoSecond(r.t + r.half)})`;
      const harpRange = `[${isoSecond(r.t)} +-${r.harpWindow.minutes ?? 'none'} min]`;
      return [
        // known is in event_peaktime order (what the file holds); kb_archivid breaks ties canonically
        sideInput(ctx.root, r.file, 'known_flares', range, canonicalRows(r.known, ['event_peaktime', 'kb_archivid'])),
        // the widened window it settles on and that window's rows (a new closer record narrows it)
        sideInput(ctx.root, r.file, 'harps', harpRange, r.harpWindow),
      ];
    },
    async run(ctx) {
      const { ev, t, half, known, harpWindow: w } = knownFlaresRead(ctx);
      const provenance = extendProvenance(ctx, V['known-flares'], [ev.provenance]);
      const rsunArcsec = solarRadiusArcsec(t);
      const at = (name: string): string => besideInput(ctx, ctx.input.path, name);
      await ctx.writeJson(at(FILES.knownFlares), {
        workingDir: ev.workingDir,
        fromMs: t - half,
        toMs: t + half,
        rows: known,
        provenance,
      });
      await ctx.writeJson(at(FILES.harps), {
        workingDir: ev.workingDir,
        drms_query_time: w.minutes,
        rows: w.rows,
        provenance,
      });
      await ctx.writeJson(at(FILES.harpSpan), {
        workingDir: ev.workingDir,
        drms_query_time: w.minutes,
        rsunArcsec,
        spans: harpSpans(w.rows, rsunArcsec),
        provenance,
      });
    },
  });
}

function peaksStage(V: Versions): AnyStage {
  return defineStage<{ windowSeconds: number }>({
    name: 'alexis-peaks',
    version: V['alexis-peaks'],
    kind: 'map',
    level: 'L4',
    product: 'alexis-peaks',
    usesCore: false,
    after: ['fit-select'],
    accepts: `**/${FILES.eventFit}`,
    params: z.strictObject({
      windowSeconds: z.number().positive().default(180).describe("ALEXIS's fwd_time_val: L, X and V peaks within it"),
    }),
    description: 'Step 13: the ALEXIS peak of each cluster of the event fit (fit, XRS and cluster peaks within 180 s)',
    async run(ctx) {
      const ev = readCatalogueFile(ctx.input.path, eventFitFileSchema);
      let rows: FlareFile['rows'] = [];
      if (ev.fit) {
        const grid = readCatalogueFile(
          path.join(path.dirname(ctx.input.path), FILES.gridsearch(ev.fit.gridsearch)),
          gridsearchFileSchema,
        );
        rows = defineFlarePeaks(ev.fit, grid, ctx.params.windowSeconds);
      }
      const p = ev.fit?.pair;
      const out: FlareFile = {
        workingDir: ev.workingDir,
        // ALEXIS: f'{img_tel}-{img_wl}-{xrs_tel}-{xrs_wl}'
        search_instrument: p ? `${p.img_telescope}-${p.img_wavelength}-${p.xrs_telescope}-${p.xrs_wavelength}` : null,
        rows,
        provenance: extendProvenance(ctx, V['alexis-peaks'], [ev.provenance]),
      };
      await ctx.writeJson(besideInput(ctx, ctx.input.path, FILES.peaks), out);
    },
  });
}

function harpStage(V: Versions): AnyStage {
  return defineStage<Record<string, never>>({
    name: 'harp-association',
    version: V['harp-association'],
    kind: 'merge',
    level: 'L4',
    product: 'alexis-flares-harp',
    usesCore: false,
    after: ['alexis-peaks', 'known-flares'],
    accepts: `**/{${FILES.peaks},${FILES.harpSpan}}`,
    groupBy: byWorkingDir,
    params: none,
    description: 'Step 14: the HARPs (and NOAA numbers) whose span contains each cluster position',
    async run(ctx) {
      const peaks = readCatalogueFile(inputNamed(ctx, FILES.peaks), flareFileSchema);
      const span = readCatalogueFile(inputNamed(ctx, FILES.harpSpan), harpSpanFileSchema);
      const out: FlareFile = {
        ...peaks,
        rows: associateRows(peaks.rows, span.spans, span.rsunArcsec),
        provenance: extendProvenance(ctx, V['harp-association'], [peaks.provenance, span.provenance]),
      };
      await ctx.writeJson(besideInput(ctx, ctx.inputs[0].path, FILES.withHarp), out);
    },
  });
}

/** The full-cadence XRS-B rows a goes-class unit reads: +-xrsMinutes around its flare. */
function xrsBRead(ctx: CatalogueReader<{ xrsMinutes: number }>) {
  const t = flareTimeMs(ctx.input.path);
  const from = t - ctx.params.xrsMinutes * 60_000;
  const to = t + ctx.params.xrsMinutes * 60_000;
  const cat = catalogue(ctx);
  try {
    return { b: cat.goesBetween(from, to, 'B'), from, to, file: cat.file };
  } finally {
    cat.close();
  }
}

function classStage(V: Versions): AnyStage {
  return defineStage<{ xrsMinutes: number }>({
    name: 'goes-class',
    version: V['goes-class'],
    kind: 'map',
    level: 'L4',
    product: 'alexis-flares-class',
    usesCore: false,
    after: ['harp-association'],
    params: z.strictObject({
      xrsMinutes: z.number().positive().default(60).describe('Full-cadence XRS-B read within +- this of the flare'),
    }),
    description: 'Step 15: the GOES class of each ALEXIS peak from full-cadence XRS-B (+-3 min, else +-5 min)',
    sideInputs(ctx) {
      const r = xrsBRead(ctx);
      const rows = canonicalRows(r.b, ['time_stamp', 'instrument', 'wavelength']);
      return [sideInput(ctx.root, r.file, 'goes_data', `[B,${isoSecond(r.from)},${isoSecond(r.to)}]`, rows)];
    },
    async run(ctx) {
      const f = readCatalogueFile(ctx.input.path, flareFileSchema);
      const tel = f.search_instrument?.split('-').slice(-2)[0];
      const { b } = xrsBRead(ctx);
      const own = b.filter((r) => r.instrument === tel);
      const series = own.length ? own : b;
      const out: FlareFile = {
        ...f,
        rows: classifyRows(f.rows, { times: series.map((r) => r.time_stamp), values: series.map((r) => r.value) }),
        provenance: extendProvenance(ctx, V['goes-class'], [f.provenance]),
      };
      await ctx.writeJson(besideInput(ctx, ctx.input.path, FILES.withClass), out);
    },
  });
}

function reportStage(V: Versions): AnyStage {
  return defineStage<Record<string, never>>({
    name: 'hek-report',
    version: V['hek-report'],
    kind: 'merge',
    level: 'L4',
    product: 'alexis-hek-report',
    usesCore: false,
    after: ['goes-class', 'known-flares'],
    accepts: `**/{${FILES.withClass},${FILES.knownFlares},${FILES.harpSpan}}`,
    groupBy: byWorkingDir,
    params: none,
    description: 'Step 16: the HEK-style report (ALEXIS rows and the known flares), JSON and CSV',
    async run(ctx) {
      const f = readCatalogueFile(inputNamed(ctx, FILES.withClass), flareFileSchema);
      const known = readCatalogueFile(inputNamed(ctx, FILES.knownFlares), knownFlaresFileSchema);
      const span = readCatalogueFile(inputNamed(ctx, FILES.harpSpan), harpSpanFileSchema);
      const provenance = extendProvenance(ctx, V['hek-report'], [f.provenance, known.provenance]);
      const rows = hekReport(f, known.rows, span.spans, span.rsunArcsec, provenance);
      await ctx.writeJson(besideInput(ctx, ctx.inputs[0].path, FILES.report), {
        workingDir: f.workingDir,
        rows,
        provenance,
      });
      await ctx.writeText(besideInput(ctx, ctx.inputs[0].path, FILES.reportCsv), reportCsv(rows));
    },
  });
}

function catalogueStage(V: Versions): AnyStage {
  return defineStage<Record<string, never>>({
    name: 'catalogue',
    version: V.catalogue,
    kind: 'merge',
    level: 'L4',
    product: 'alexis-catalogue',
    usesCore: false,
    after: ['hek-report'],
    accepts: `**/${FILES.report}`,
    params: none,
    description: 'Every working directory report in one catalogue: JSON, CSV and SQLite table alexis_catalogue',
    async run(ctx) {
      // The run's reports plus those of the other working directories beside them (ALEXIS globs every
      // *.working): a run filtered to some flares rewrites their rows and keeps the others'.
      const mine = new Set(ctx.inputs.map((i) => i.path));
      const parents = new Set(ctx.inputs.map((i) => path.dirname(path.dirname(i.path))));
      const others = [...parents].flatMap((p) =>
        readdirSync(p)
          .filter((d) => d.endsWith('.working'))
          .map((d) => path.join(p, d, FILES.report))
          .filter((f) => !mine.has(f) && existsSync(f)),
      );
      const files = [...mine, ...others].map((f) => readCatalogueFile(f, reportFileSchema));
      const rows = files
        .flatMap((f) => f.rows)
        .sort((a, b) => (a.working_dir < b.working_dir ? -1 : a.working_dir > b.working_dir ? 1 : 0));
      const products = (ctx.options as { dataProducts?: string }).dataProducts ?? 'data_products';
      await ctx.writeJson(path.join(products, 'alexis_catalogue.json'), rows);
      await ctx.writeText(path.join(products, 'alexis_catalogue.csv'), reportCsv(rows));
      writeReportSqlite(ctx.output(path.join(products, 'alexis_catalogue.db')), rows);
    },
  });
}

/** Steps 12-16 and the catalogue; `versions` overrides stage versions (a reprocessing, tests). */
export function flareStages(versions: Partial<Versions> = {}): AnyStage[] {
  const V = { ...FLARE_STAGE_VERSIONS, ...versions };
  return [knownFlaresStage(V), peaksStage(V), harpStage(V), classStage(V), reportStage(V), catalogueStage(V)];
}

export { pairKey };
