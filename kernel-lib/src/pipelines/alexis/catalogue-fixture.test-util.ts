/**
 * A constructed working directory for the steps 8-16 tests: step 7's resampled_img_df_v3.csv
 * (two AIA channels, three clusters at four boxes, XRS A and B on a 1-minute grid) and the onboarding
 * catalogue (HEK row, HARP records, full-cadence XRS-B) of one flare, C4.0 at 10:00 in cluster 0.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { AlexisCatalogues } from './catalogues';
import { writeCandidateFile, type ResampledImgRow } from './candidate-files';

export const FIXTURE_FLARE = { peakMs: Date.UTC(2011, 1, 8, 10, 0, 0), x: -380, y: 260, class: 'C4' };
export const FIXTURE_DIR = 'alexis_data/flare_candidates/flarecandidate_C4.0_at_2011-02-08T10_00_00_00.working';

const CLUSTERS = [
  { label: 0, x: -380, y: 260 },
  { label: 1, x: 180, y: 120 },
  { label: 2, x: 520, y: -210 },
];
const BOXES = [150, 100, 80, 50];

/** Flare time profile (0..1): Gaussian rise, exponential decay (minutes from the peak). */
const profile = (m: number): number => (m <= 0 ? Math.exp(-((m / 3) ** 2)) : Math.exp(-m / 6));

/** `dirName` (default FIXTURE_DIR) names another working directory with the same data. */
export async function writeCatalogueFixture(root: string, dirName = FIXTURE_DIR): Promise<void> {
  const dir = path.join(root, dirName);
  mkdirSync(dir, { recursive: true });
  const t0 = FIXTURE_FLARE.peakMs / 1000 - 40 * 60;
  const rows: ResampledImgRow[] = [];
  for (let i = 0; i <= 80; i++) {
    const ts = t0 + i * 60;
    const m = (ts * 1000 - FIXTURE_FLARE.peakMs) / 60_000;
    const xrs = { A: 2.4e-8 + 0.2 * 2.8e-6 * profile(m + 0.5), B: 3e-7 + (2.8e-6 - 3e-7) * profile(m) };
    for (const [wl, lag] of [
      ['131', -1],
      ['171', 2],
    ] as const)
      for (const c of CLUSTERS)
        for (const size of BOXES)
          for (const band of ['A', 'B'] as const) {
            const quiet = size * size * (c.label === 1 ? 9 : 1) * (1 + 0.02 * Math.sin(i / 5 + c.label));
            const flare = c.label === 0 ? 5e4 * profile(m - lag) * Math.min(1, 100 / size) : 0;
            rows.push({
              resampled_date_time: new Date(ts * 1000).toISOString(),
              resampled_time_stamp: ts,
              xrs_resampled_data: xrs[band],
              xrs_wavelength: band,
              xrs_instrument: 'XRS',
              xrs_telescope: 'goes15',
              working_dir: path.basename(dir),
              cluster_flux_file: 'clusters_flux_df_v3.csv',
              xrs_resample_file: 'resampled_XRS_df_v3.csv',
              img_resampled_value_cluster: quiet + flare,
              img_resampled_value_full_disk: 1e7,
              img_instrument: 'AIA',
              img_wavelength: wl,
              img_telescope: 'SDO',
              final_cluster_label: c.label,
              x_hpc: c.x,
              y_hpc: c.y,
              x_pix: 0,
              y_pix: 0,
              integration_pixel_bbox: [],
              integration_hpc_bbox: [],
              all_resampled_data_file: 'resampled_img_df_v3.csv',
              bbox_linear_size_arcsec: size,
              bbox_half_linear_size_pix: size / 1.2,
            });
          }
  }
  await writeCandidateFile('resampledImg', path.join(dir, 'resampled_img_df_v3.csv'), rows);
  const cat = new AlexisCatalogues(path.join(root, 'data_products', 'availability.db'));
  const iso = (ms: number): string => new Date(ms).toISOString();
  cat.completeWindow(
    {
      source: 'hek',
      rows: [
        {
          kb_archivid: 'ivo://fixture/1',
          event_starttime: iso(FIXTURE_FLARE.peakMs - 600_000),
          event_peaktime: iso(FIXTURE_FLARE.peakMs + 30_000),
          event_endtime: iso(FIXTURE_FLARE.peakMs + 900_000),
          fl_goescls: 'C4.0',
          hpc_x: -370,
          hpc_y: 250,
          ar_noaanum: 11150,
          frm_name: 'SWPC',
        },
      ],
    },
    'a',
    'b',
  );
  const R = 975;
  const deg = (v: number): number => (Math.asin(v / R) * 180) / Math.PI;
  const harps = [];
  for (let k = 0; k <= 20; k++)
    for (const c of CLUSTERS) {
      const lat = deg(c.y);
      const lon = (x: number): number => deg(x / Math.cos((lat * Math.PI) / 180));
      harps.push({
        HARPNUM: 370 + c.label,
        T_REC: iso(FIXTURE_FLARE.peakMs + 45 * 60_000 + k * 720_000),
        NOAA_AR: 11150 + c.label,
        NOAA_ARS: String(11150 + c.label),
        LAT_MIN: deg(c.y - 60),
        LAT_MAX: deg(c.y + 60),
        LON_MIN: lon(c.x - 60),
        LON_MAX: lon(c.x + 60),
      });
    }
  cat.completeWindow({ source: 'harps', rows: harps }, 'a', 'b');
  const goes = [];
  for (let s = -3600; s <= 3600; s += 2) {
    const m = s / 60;
    goes.push({
      time_stamp: FIXTURE_FLARE.peakMs / 1000 + s,
      instrument: 'goes15',
      wavelength: 'B' as const,
      value: 0.7 * (3e-7 + (4e-6 - 3e-7) * profile(m)),
    });
  }
  cat.completeWindow({ source: 'goes', rows: goes }, 'a', 'b');
  cat.close();
}
