/**
 * The rules of ALEXIS stage 3 and stage 4 steps 1-5 on hand-made inputs (check_data_qual_module_02,
 * create_peakfinder_scale): group thresholds at their boundaries, the min_samples formulas, the
 * per-image split, box fluxes against a direct sum, QUALITY 9.
 */
import { describe, expect, it } from 'vitest';
import type { Candidate, ClusterFluxRow, FileRow, HyperspectralRow } from './candidate-files';
import {
  hyperspectralCandidates,
  hyperspectralMinSamples,
  temporalClusters,
  temporalMinSamples,
  temporalParamsSchema,
  hyperspectralParamsSchema,
} from './candidate-clustering';
import { collateClusterFlux, halfWidthsFor, regionFluxRows, splitPerImage } from './cluster-flux';
import type { ImageDataRow } from './image-db';
import { IMAGE_ROW_T0, imageDataRow } from './image-row.test-util';
import { buildInitTables, groupQuality, initFilesParamsSchema, queryWindows, withTime } from './wd-init-files';

const P = initFilesParamsSchema.parse({});
const T0 = IMAGE_ROW_T0;

const dbRow = imageDataRow;

/** n images of a group, the first `bad` with QUALITY 4 (lev0 for AIA, lev1 for SXI). */
function group(n: number, bad: number, o: Partial<ImageDataRow> = {}): ImageDataRow[] {
  const inst = o.instrument ?? 'AIA';
  return Array.from({ length: n }, (_, i) =>
    dbRow({
      time_stamp: T0 + 12 * i,
      ...o,
      url: `${String(inst)}-${String(o.wavelength ?? '94')}-${i}`,
      ...(i < bad ? { QUALITY: 4, data_level: inst === 'AIA' ? 'lev0' : 'lev1' } : {}),
    }),
  );
}

describe('stage 3: group rules (check_data_qual_module_02)', () => {
  it('AIA: kept at good >= 125 and good/N >= 0.9, both boundaries', () => {
    const q = (rows: ImageDataRow[]) => groupQuality(rows, P)[0];
    expect(q(group(125, 0)).kept).toBe(true);
    expect(q(group(124, 0))).toMatchObject({ kept: false, good_qual: 124, reason: '124 good images < 125' });
    expect(q(group(150, 15))).toMatchObject({ kept: true, good_qual: 135, good_percent: 0.9 });
    expect(q(group(150, 16)).kept).toBe(false);
    expect(q(group(150, 16)).reason).toMatch(/good fraction 0\.893 < 0\.9/);
  });

  it('AIA: a group with at most one good image is not listed at all', () => {
    expect(groupQuality(group(5, 4), P)).toEqual([]);
    expect(groupQuality(group(5, 3), P)).toHaveLength(1);
  });

  it('SXI: only lev2 counts (N too), threshold 10; no lev2 gives 0 of 0', () => {
    const sxi = { instrument: 'SXI', telescope: 'goes15', wavelength: 'TM' };
    const q10 = groupQuality(group(30, 20, sxi), P)[0];
    expect(q10).toMatchObject({ kept: true, good_qual: 10, available_data: 10, good_percent: 1 });
    expect(groupQuality(group(29, 20, sxi), P)[0]).toMatchObject({ kept: false, good_qual: 9 });
    expect(groupQuality(group(5, 5, sxi), P)[0]).toMatchObject({ kept: false, good_qual: 0, available_data: 0 });
  });

  it('ignores other instruments and lists groups in pandas groupby order (wavelength first, as strings)', () => {
    const rows = [
      ...group(130, 0, { wavelength: '94' }),
      ...group(130, 0, { wavelength: '131' }),
      dbRow({ url: 'x', instrument: 'EIT' }),
    ];
    expect(groupQuality(rows, P).map((g) => g.wavelength)).toEqual(['131', '94']);
  });

  it('windows are +-20 min (AIA) and +-40 min (SXI), half-open', () => {
    expect(queryWindows(T0 * 1000, P)).toEqual([
      { instrument: 'AIA', from: T0 - 1200, to: T0 + 1200 },
      { instrument: 'SXI', from: T0 - 2400, to: T0 + 2400 },
    ]);
  });

  it('tables: all peak rows of kept groups (lev2, QUALITY 0); files once per URL without peak columns', () => {
    const good = group(140, 10, { wavelength: '171' });
    const twoPeaks = good.flatMap((r) => [r, { ...r, dbscan_1_label: 1, dbscan_1_x_hpc: -400 }]);
    const rejected = group(100, 0, { wavelength: '335' });
    const t = buildInitTables([...twoPeaks, ...rejected], 'wd.working', P);
    expect(t.hyperspectral).toHaveLength(260);
    expect(t.files).toHaveLength(130);
    expect(Object.keys(t.files[0])).not.toContain('dbscan_1_x_hpc');
    expect(t.files[0]).toMatchObject({
      working_dir: 'wd.working',
      date_time: new Date((T0 + 120) * 1000).toISOString(),
    });
    expect(new Set(t.hyperspectral.map((r) => r.wavelength))).toEqual(new Set(['171']));
    expect(buildInitTables(rejected, 'wd', P)).toMatchObject({ hyperspectral: [], files: [] });
  });
});

describe('stage 4 steps 1-2: min_samples formulas and clustering', () => {
  it('temporal min_samples = int(0.15 * unique times); hyperspectral = max(1, int(2/3 * #wavelengths))', () => {
    expect([6, 7, 20, 40, 100, 199, 200].map((n) => temporalMinSamples(n))).toEqual([0, 1, 3, 6, 15, 29, 30]);
    expect([1, 2, 3, 4, 5, 6, 7, 9].map((n) => hyperspectralMinSamples(n))).toEqual([1, 1, 2, 2, 3, 4, 4, 6]);
  });

  const hs = (wl: string, i: number, x: number, y: number, label = 0): HyperspectralRow => {
    return withTime(
      dbRow({
        url: `${wl}-${i}-${label}`,
        wavelength: wl,
        time_stamp: T0 + 12 * i,
        dbscan_1_x_hpc: x,
        dbscan_1_y_hpc: y,
        dbscan_1_label: label,
      }),
      'wd',
    );
  };

  it('temporal: groups need MORE than 5 rows; sporadic peaks are noise; the cluster is the np.mean', () => {
    const rows: HyperspectralRow[] = [];
    for (let i = 0; i < 20; i++) rows.push(hs('94', i, 100 + (i % 3), 200 - (i % 2)));
    rows.push(hs('94', 3, -600, 0, 1), hs('94', 9, -610, 0, 1)); // 2 votes < min_samples 3
    for (let i = 0; i < 5; i++) rows.push(hs('131', i, 100, 200)); // 5 rows: skipped
    rows.push({ ...hs('94', 30, 0, 0, 2), dbscan_1_x_hpc: NaN }); // no peak: dropped (dropna)
    const t = temporalClusters(rows, 'wd', temporalParamsSchema.parse({}));
    expect(t.groups).toEqual([
      {
        wavelength: '131',
        instrument: 'AIA',
        telescope: 'SDO',
        rows: 5,
        unique_times: 5,
        passing_vote: 0,
        min_samples: 1,
        clustered: false,
      },
      {
        wavelength: '94',
        instrument: 'AIA',
        telescope: 'SDO',
        rows: 22,
        unique_times: 20,
        passing_vote: 3,
        min_samples: 3,
        clustered: true,
      },
    ]);
    expect(t.clusters).toHaveLength(1);
    const xs = rows.slice(0, 20).map((r) => r.dbscan_1_x_hpc);
    expect(t.clusters[0]).toMatchObject({
      label: 0,
      num_votes: 20,
      num_of_members: 22,
      vote_ratio: 20 / 22,
      passing_vote: 3,
    });
    expect(t.clusters[0].hpc_x).toBeCloseTo(xs.reduce((a, b) => a + b) / 20, 12);
  });

  it('temporal eps decides: 50" joins two spots 40" apart, 30" separates them', () => {
    const rows: HyperspectralRow[] = [];
    for (let i = 0; i < 10; i++) rows.push(hs('94', i, 0, 0), hs('94', i, 40, 0, 1));
    expect(temporalClusters(rows, 'wd', temporalParamsSchema.parse({})).clusters).toHaveLength(1);
    expect(temporalClusters(rows, 'wd', temporalParamsSchema.parse({ eps: 30 })).clusters).toHaveLength(2);
  });

  it('hyperspectral: a spot seen in 2 of 3 wavelengths is a candidate, one seen in 1 is not', () => {
    const tc = (wavelength: string, hpc_x: number, label: number) => ({
      wavelength,
      instrument: 'AIA',
      telescope: 'SDO',
      hpc_x,
      hpc_y: 0,
      label,
      passing_vote: 3,
      num_votes: 18,
      num_of_members: 20,
      vote_ratio: 0.9,
    });
    const file = {
      working_dir: 'wd',
      eps: 50,
      avg_dbscan_time_1: 0,
      avg_peakfinder_time_1: 0,
      avg_clean_time: 0,
      groups: [],
      clusters: [tc('131', 10, 0), tc('171', 20, 0), tc('171', 500, 1), tc('94', -700, 0)],
    };
    const c = hyperspectralCandidates(file, hyperspectralParamsSchema.parse({}));
    expect(c).toHaveLength(1);
    expect(c[0]).toMatchObject({
      x_hpc: 15,
      label: 0,
      voting_wl: ['131', '171'],
      passing_votes: 2,
      avail_votes: 3,
      avail_wls: ['131', '171', '94'],
    });
    expect(hyperspectralCandidates({ ...file, clusters: [] }, hyperspectralParamsSchema.parse({}))).toEqual([]);
  });
});

function fileRow(wl: string, inst: string, tel: string, i: number): FileRow {
  const {
    peakfinder_time_1,
    dbscan_time_1,
    cleaning_time_1,
    peaks_found,
    dbscan_1_x_hpc,
    dbscan_1_y_hpc,
    dbscan_1_x_pix,
    dbscan_1_y_pix,
    dbscan_1_num_members,
    dbscan_1_label,
    ...f
  } = withTime(
    dbRow({ url: `${wl}-${i}`, wavelength: wl, instrument: inst, telescope: tel, time_stamp: T0 + 60 * i }),
    'wd',
  );
  void [
    peakfinder_time_1,
    dbscan_time_1,
    cleaning_time_1,
    peaks_found,
    dbscan_1_x_hpc,
    dbscan_1_y_hpc,
    dbscan_1_x_pix,
    dbscan_1_y_pix,
    dbscan_1_num_members,
    dbscan_1_label,
  ];
  return f;
}

describe('stage 4 steps 3-5: split, box fluxes, collate', () => {
  const cand = (label: number, x: number, y: number) => ({ label, x_hpc: x, y_hpc: y }) as Candidate;

  it('split: one file per image time per (tel, inst, wl), n counting images, each with a row per candidate', () => {
    const files = [0, 1, 2]
      .map((i) => fileRow('94', 'AIA', 'SDO', i))
      .concat([0, 1].map((i) => fileRow('TM', 'SXI', 'goes15', i)));
    const parts = splitPerImage([cand(1, 5, 5), cand(0, -5, 0)], files);
    expect(parts.map((p) => `${p.id.telescope}.${p.id.instrument}.${p.id.wavelength}.${p.id.n}`)).toEqual([
      'SDO.AIA.94.0',
      'SDO.AIA.94.1',
      'SDO.AIA.94.2',
      'goes15.SXI.TM.0',
      'goes15.SXI.TM.1',
    ]);
    expect(parts[1].rows.map((r) => r.final_cluster_label)).toEqual([0, 1]);
    expect(parts[1].rows[1]).toMatchObject({ x_hpc: 5, y_hpc: 5, time_stamp: T0 + 60 });
  });

  it('box fluxes equal a direct sum over data[int(y-d):int(y+d), int(x-d):int(x+d)], zoom by zoom', () => {
    const [h, w] = [64, 80];
    const data = new Float64Array(h * w).map((_, i) => ((i * 7919) % 101) / 10);
    const image = { data, shape: [h, w] as [number, number], crpix1: 40.5, crpix2: 32.5, cdelt1: 2.4, cdelt2: 2.4 };
    const base = fileRow('94', 'AIA', 'SDO', 0);
    const rows = [
      { ...base, x_hpc: 12, y_hpc: -30, final_cluster_label: 0 },
      { ...base, x_hpc: -60, y_hpc: 9.6, final_cluster_label: 1 },
    ];
    const widths = halfWidthsFor('AIA', 2.4); // 0.6"/px widths at 2.4"/px
    expect(widths).toEqual([31.25, 21.25, 16.75, 10.25]);
    const out = regionFluxRows(rows, image, widths);
    expect(out.map((r) => [r.bbox_linear_size_arcsec, r.final_cluster_label])).toEqual([
      [150, 0],
      [150, 1],
      [100, 0],
      [100, 1],
      [80, 0],
      [80, 1],
      [50, 0],
      [50, 1],
    ]);
    for (const r of out) {
      const d = r.bbox_half_linear_size_pix;
      expect(r.x_pix).toBe(r.x_hpc / 2.4 + 40.5);
      expect(r.y_pix).toBe(r.y_hpc / 2.4 + 32.5);
      let s = 0;
      const clip = (v: number, n: number) => Math.min(n, Math.max(0, Math.trunc(v)));
      for (let y = clip(r.y_pix - d, h); y < clip(r.y_pix + d, h); y++)
        for (let x = clip(r.x_pix - d, w); x < clip(r.x_pix + d, w); x++) s += data[y * w + x];
      expect(r.region_flux).toBeCloseTo(s, 9);
      expect(r.integration_hpc_bbox[0]).toEqual([(r.x_pix - d - 40.5) * 2.4, (r.y_pix - d - 32.5) * 2.4]);
    }
    expect(halfWidthsFor('SXI', 4.9)).toEqual([15, 10, 8, 5]);
    expect(halfWidthsFor('AIA', 0.6)).toEqual([125, 85, 67, 41]);
  });

  it('collate: a (tel, inst, wl, cluster, zoom) group under 10 points gets QUALITY 9', () => {
    const r = (wl: string, zoom: number, i: number): ClusterFluxRow => ({
      ...fileRow(wl, 'AIA', 'SDO', i),
      x_hpc: 0,
      y_hpc: 0,
      final_cluster_label: 0,
      region_flux: 1,
      x_pix: 0,
      y_pix: 0,
      integration_pixel_bbox: [],
      integration_hpc_bbox: [],
      bbox_linear_size_arcsec: zoom,
      bbox_half_linear_size_pix: 1,
    });
    const rows = [
      ...Array.from({ length: 10 }, (_, i) => r('94', 150, i)),
      ...Array.from({ length: 9 }, (_, i) => r('131', 150, i)),
    ];
    const out = collateClusterFlux(rows);
    expect(out.filter((x) => x.wavelength === '131').every((x) => x.QUALITY === 9)).toBe(true);
    expect(out.filter((x) => x.wavelength === '94').every((x) => x.QUALITY === 0)).toBe(true);
    expect(out.map((x) => x.wavelength).slice(0, 1)).toEqual(['131']); // groupby order
  });
});
