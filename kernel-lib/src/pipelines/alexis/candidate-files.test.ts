import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CANDIDATE_FILES,
  clusterFluxFileName,
  CLUSTER_FLUX_TIMESERIES_SUFFIX,
  formatCandidateFile,
  parseCandidateFile,
  parseClusterFluxFileName,
  readCandidateFile,
  writeCandidateFile,
  type ClusterFluxRow,
} from './candidate-files';

const dir = mkdtempSync(join(tmpdir(), 'sb-cand-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fluxRow: ClusterFluxRow = {
  download_string: null,
  time_stamp: 1297199460.5,
  data_level: 'lev2',
  file_name: 'aia_lev1_94a_x.fits',
  exp_time: 2.9,
  file_size_MB: NaN,
  QUALITY: 0,
  wavelength: '94',
  url: 'http://127.0.0.1:1/a,"b"',
  instrument: 'AIA',
  file_path: '/x/y',
  wget_log_file: null,
  download_speed: null,
  cached_dict_path: null,
  telescope: 'SDO',
  img_data_max: 1e-3,
  img_data_min: -2.5e-7,
  img_flux: 0.1 + 0.2,
  date_time: '2011-02-08T21:11:00.500Z',
  working_dir: 'flarecandidate_C4.0_at_2011-02-08T21_11_00_08.working',
  x_hpc: -300.25,
  y_hpc: 120,
  final_cluster_label: 1,
  region_flux: 3.14159e-5,
  x_pix: 10.5,
  y_pix: 20,
  integration_pixel_bbox: [
    [1, 2],
    [1, 4],
    [3, 4],
    [3, 2],
    [1, 2],
  ],
  integration_hpc_bbox: [[-1.5, 2]],
  bbox_linear_size_arcsec: 150,
  bbox_half_linear_size_pix: 125,
};

describe('candidate file contract', () => {
  it('CSV round trip keeps every value bit for bit (NaN, null, quotes, commas, polygons)', async () => {
    const f = join(dir, CANDIDATE_FILES.clustersFlux);
    await writeCandidateFile('clustersFlux', f, [fluxRow, { ...fluxRow, QUALITY: 9, img_data_max: NaN }]);
    const back = readCandidateFile('clustersFlux', f);
    expect(back).toHaveLength(2);
    expect(back[0]).toEqual(fluxRow);
    expect(Number.isNaN(back[1].img_data_max)).toBe(true);
    expect(back[1].QUALITY).toBe(9);
    expect(readFileSync(f, 'utf8').split('\n')[0]).toMatch(/^download_string,time_stamp,/);
  });

  it('JSON round trip writes NaN as null and reads it back as NaN', () => {
    const t = formatCandidateFile('clusterFluxTimeseries', [fluxRow]);
    expect(t).toContain('"file_size_MB":null');
    const back = parseCandidateFile('clusterFluxTimeseries', t);
    expect(Number.isNaN(back[0].file_size_MB)).toBe(true);
    expect(back[0].integration_pixel_bbox).toEqual(fluxRow.integration_pixel_bbox);
  });

  it('a bad cell is refused naming the file, line and column', () => {
    const f = join(dir, 'bad.csv');
    const t = formatCandidateFile('clustersFlux', [fluxRow, fluxRow]).split('\n');
    t[2] = t[2].replace(',AIA,', ',,'); // instrument empty -> null, schema wants a string
    writeFileSync(f, t.join('\n'));
    expect(() => readCandidateFile('clustersFlux', f)).toThrow(/bad\.csv: line 3, column instrument/);
  });

  it('a missing column and a bad JSON field are refused by name', () => {
    expect(() => parseCandidateFile('resampledXrs', 'resampled_date_time\n', 'x.csv')).toThrow(
      /x\.csv: line 1: header lacks resampled_time_stamp/,
    );
    expect(() => parseCandidateFile('interestingPixels', '[{"x_hpc": 1}]', 'p.json')).toThrow(/p\.json: field 0\./);
  });

  it('per-image file names follow ALEXIS and parse back', () => {
    const id = { telescope: 'SDO', instrument: 'AIA', wavelength: '94', n: 17 };
    expect(clusterFluxFileName(id)).toBe('v3_interesting_pixels.SDO.AIA.94.cluster.17.v3_initialize_cluster_flux.json');
    expect(parseClusterFluxFileName(clusterFluxFileName(id, CLUSTER_FLUX_TIMESERIES_SUFFIX))).toEqual(id);
    expect(parseClusterFluxFileName('clusters_flux_df_v3.csv')).toBeUndefined();
  });
});
