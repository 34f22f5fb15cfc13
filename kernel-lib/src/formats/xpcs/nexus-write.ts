/**
 * Writes corr results in the NeXus-style layout newer APS software writes (boost_corr
 * `xpcs_aps_8idi/aps_8idi.py` key map, read by pyXpcsViewer `fileIO/aps_8idi.py`), the other
 * choice beside the legacy `/exchange` layout. Mapping from corr's datasets:
 *   /xpcs/multitau/{normalized_g2, normalized_g2_err}  <- norm-0-g2, norm-0-stderr (n_tau, n_q)
 *   /xpcs/multitau/delay_list                           <- tau x exposure_period (seconds, n_tau)
 *   /xpcs/qmap/{dynamic,static}_roi_map (H, W), {dynamic,static}_v_list_dim0/1, *_index_mapping, *_num_pts, mask
 *   /xpcs/temporal_mean/scattering_2d (1, H, W)         <- pixelSum
 *   /xpcs/temporal_mean/scattering_1d (1, n_sbin), scattering_1d_segments <- partition means
 *   /xpcs/spatial_mean/intensity_vs_time (2, N)         <- frameSum with row 0 in seconds
 *   /xpcs/twotime/correlation_map/c2_%05d, normalized_g2, normalized_g2_segments, delay_list, processed_bins
 *   /entry/instrument/bluesky/metadata/*                 (what xpcsLayoutOf recognises as NeXus)
 */
import { writeHdf5, type Hdf5DatasetSpec } from '../hdf5/writer';
import type { CorrDataset } from '../../numeric/xpcs/corr-twotime';
import type { XpcsCorrSettings } from '../../numeric/xpcs/corr-settings';

export interface XpcsNexusWriteInput {
  datasets: Map<string, CorrDataset>;
  settings: XpcsCorrSettings;
  /** Seconds per frame of the correlated series (exposure_period x stride x avg). */
  frameSeconds: number;
  /** q of each dynamic / static bin (dqlist / sqlist), when known. */
  dqlist?: ArrayLike<number>;
  sqlist?: ArrayLike<number>;
  /** Extra fit datasets (e.g. from xpcsFitDatasets), written under /xpcs/multitau/fit. */
  fits?: Map<string, CorrDataset>;
}

const f64 = (path: string, d: CorrDataset): Hdf5DatasetSpec => ({ path, data: d.data, shape: d.shape });

function qmapSpecs(s: XpcsCorrSettings, dqlist?: ArrayLike<number>, sqlist?: ArrayLike<number>): Hdf5DatasetSpec[] {
  const [H, W] = s.shape;
  const bins = (m: ArrayLike<number>) => [...new Set(Array.from(m).filter((b) => b >= 1))].sort((a, b) => a - b);
  const dq = bins(s.dqmap);
  const sq = bins(s.sqmap);
  const list = (given: ArrayLike<number> | undefined, b: number[]) =>
    Float64Array.from(b, (v) => (given && given.length >= v ? given[v - 1] : v));
  return [
    { path: '/xpcs/qmap/dynamic_roi_map', data: Int32Array.from(s.dqmap), shape: [H, W] },
    { path: '/xpcs/qmap/static_roi_map', data: Int32Array.from(s.sqmap), shape: [H, W] },
    {
      path: '/xpcs/qmap/mask',
      data: Int32Array.from({ length: H * W }, (_, p) =>
        s.dqmap[p] >= 1 && s.sqmap[p] >= 1 && (!s.mask || s.mask[p] !== 0) ? 1 : 0,
      ),
      shape: [H, W],
    },
    { path: '/xpcs/qmap/dynamic_index_mapping', data: Int32Array.from(dq, (b) => b - 1), shape: [dq.length] },
    { path: '/xpcs/qmap/static_index_mapping', data: Int32Array.from(sq, (b) => b - 1), shape: [sq.length] },
    { path: '/xpcs/qmap/dynamic_num_pts', data: Int32Array.of(dq.length, 1), shape: [2] },
    { path: '/xpcs/qmap/static_num_pts', data: Int32Array.of(sq.length, 1), shape: [2] },
    { path: '/xpcs/qmap/dynamic_v_list_dim0', data: list(dqlist, dq), shape: [dq.length] },
    { path: '/xpcs/qmap/dynamic_v_list_dim1', data: Float64Array.of(0), shape: [1] },
    { path: '/xpcs/qmap/static_v_list_dim0', data: list(sqlist, sq), shape: [sq.length] },
    { path: '/xpcs/qmap/static_v_list_dim1', data: Float64Array.of(0), shape: [1] },
    { path: '/xpcs/qmap/map_names', data: ['q', 'phi'] },
    { path: '/xpcs/qmap/map_units', data: ['1/A', 'deg'] },
  ];
}

/** Dataset specs of the NeXus layout (nothing written). */
export function xpcsNexusSpecs(input: XpcsNexusWriteInput): Hdf5DatasetSpec[] {
  const { datasets: d, settings: s, frameSeconds } = input;
  const out: Hdf5DatasetSpec[] = [
    { path: '/entry/instrument/bluesky/metadata/writer', data: 'stagebook xpcsCorr' },
    { path: '/entry/instrument/bluesky/metadata/analysis_type', data: s.analysisType },
    { path: '/entry/instrument/bluesky/metadata/compat', data: s.compat },
    ...qmapSpecs(s, input.dqlist, input.sqlist),
  ];
  const get = (k: string) => d.get(k);
  if (get('norm-0-g2')) {
    out.push(
      f64('/xpcs/multitau/normalized_g2', get('norm-0-g2')!),
      f64('/xpcs/multitau/normalized_g2_err', get('norm-0-stderr')!),
    );
    const tau = get('tau')!.data;
    out.push({
      path: '/xpcs/multitau/delay_list',
      data: Float64Array.from(tau, (t) => t * frameSeconds),
      shape: [tau.length],
    });
  }
  const px = get('pixelSum')!;
  out.push({ path: '/xpcs/temporal_mean/scattering_2d', data: px.data, shape: [1, ...px.shape] });
  out.push(
    f64('/xpcs/temporal_mean/scattering_1d', get('partition-mean-total')!),
    f64('/xpcs/temporal_mean/scattering_1d_segments', get('partition-mean-partial')!),
  );
  const fs = get('frameSum')!;
  const N = fs.shape[1];
  const ivt = Float64Array.from(fs.data, (v, i) => (i < N ? (v - 1) * frameSeconds : v));
  out.push({ path: '/xpcs/spatial_mean/intensity_vs_time', data: ivt, shape: [2, N] });
  const maps = [...d.keys()].filter((k) => k.startsWith('C2T_all/g2_'));
  for (const k of maps) out.push(f64(`/xpcs/twotime/correlation_map/c2_${k.slice('C2T_all/g2_'.length)}`, get(k)!));
  if (get('g2full')) {
    out.push(
      f64('/xpcs/twotime/normalized_g2', get('g2full')!),
      f64('/xpcs/twotime/normalized_g2_segments', get('g2partials')!),
    );
    out.push({
      path: '/xpcs/twotime/delay_list',
      data: Float64Array.from({ length: get('g2full')!.shape[0] }, (_, k) => k * frameSeconds),
      shape: [get('g2full')!.shape[0]],
    });
    out.push({
      path: '/xpcs/twotime/processed_bins',
      data: Int32Array.from(maps, (k) => Number(k.slice('C2T_all/g2_'.length))),
      shape: [maps.length],
    });
  }
  for (const [k, v] of input.fits ?? []) out.push(f64(`/xpcs/multitau/fit/${k}`, v));
  return out;
}

/** Writes a new NeXus-layout results file (atomic). */
export async function writeXpcsNexusResults(file: string, input: XpcsNexusWriteInput): Promise<void> {
  await writeHdf5(file, xpcsNexusSpecs(input));
}
