/**
 * Every `/xpcs` field, set to a non-default value, either changes corr's result the way
 * XPCS-Eigen would or is refused with E_CONFIG_UNSUPPORTED naming field and value (issue 20.1).
 * Real files: an IMM written by writeImm and an HDF5 configuration rewritten per case.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeHdf5, withHdf5, type Hdf5DatasetSpec } from '../../formats/hdf5';
import { writeImm } from '../../formats/imm';
import { writeXpcsLegacyConfig } from '../../formats/xpcs';
import { XPCS_CORR_FIELDS, readXpcsCorrConfig } from '../../formats/xpcs/corr-config';
import { simulateSpeckleSeries } from '../../simulate';
import { correlateXpcsFile } from './corr-file';

const SIZE = 16;
const T = 80;
let dir = '';
let baseSpecs: Hdf5DatasetSpec[] = [];
let baseline: Map<string, { data: Float64Array; shape: number[] }>;

/** A value per field, and what must happen: the result changes, is identical (descriptive), or the field is refused. */
type Expect = 'changes' | 'same' | 'refused';
const flat = Float64Array.from({ length: SIZE * SIZE }, (_, i) => 0.8 + (i % 7) * 0.05);

async function configWith(
  name: string,
  fields: Record<string, unknown>,
  extra: Hdf5DatasetSpec[] = [],
): Promise<string> {
  const file = join(dir, `${name}.hdf`);
  const specs = baseSpecs.filter((s) => !(s.path.slice('/xpcs/'.length) in fields));
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    specs.push(
      typeof v === 'string'
        ? { path: `/xpcs/${k}`, data: v }
        : (v as Hdf5DatasetSpec).path
          ? (v as Hdf5DatasetSpec)
          : {
              path: `/xpcs/${k}`,
              data: Float64Array.of(v as number),
              shape: [1, 1],
              dtype: Number.isInteger(v) ? 'i8' : 'f8',
            },
    );
  }
  await writeHdf5(file, [...specs, ...extra]);
  return file;
}

async function run(file: string) {
  return (await correlateXpcsFile(file, { imm: join(dir, 'data.imm'), output: null })).result.datasets;
}

function same(a: Map<string, { data: Float64Array }>, b: Map<string, { data: Float64Array }>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const w = b.get(k);
    if (!w || w.data.length !== v.data.length || v.data.some((x, i) => !Object.is(x, w.data[i]))) return false;
  }
  return true;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'xpcs-corr-cfg-'));
  const sim = simulateSpeckleSeries({
    frames: T,
    height: SIZE,
    width: SIZE,
    rings: 3,
    tau0: 8,
    meanCounts: 4,
    modes: 2,
    seed: 7,
  });
  // A dark pedestal of 10 counts plus 0..2 read noise makes the dark fields matter.
  const data = Uint16Array.from(sim.frames.data, (v, i) => v + 10 + (((i * 2654435761) >>> 30) % 3));
  await writeImm(join(dir, 'data.imm'), { data, shape: [T, SIZE, SIZE] });
  const cfg = join(dir, 'base.hdf');
  const sq = Int32Array.from(sim.dqmap, (q, p) => (q > 0 ? 2 * q - 1 + (p % 2) : 0));
  await writeXpcsLegacyConfig(cfg, {
    dqmap: Int32Array.from(sim.dqmap),
    sqmap: sq,
    shape: [SIZE, SIZE],
    delaysPerLevel: 4,
    dataBegin: 1,
    dataEnd: T,
    inputFileLocal: 'data.imm',
  });
  baseSpecs = await withHdf5(cfg, (r) =>
    r.datasetPaths().map((p) => {
      const d = r.read(p);
      return { path: p, data: d.value as Hdf5DatasetSpec['data'], shape: d.shape };
    }),
  );
  baseline = await run(await configWith('baseline', {}));
});

const dark = { dark_begin_todo: 1, dark_end_todo: 10, data_begin_todo: 11 };
const twotime = {
  analysis_type: 'Twotime',
  qphi_bin_to_process: { path: '/xpcs/qphi_bin_to_process', data: Float64Array.of(1, 2), shape: [2, 1], dtype: 'i8' },
};
const CASES: Array<[field: string, fields: Record<string, unknown>, expect: Expect, extra?: Hdf5DatasetSpec[]]> = [
  [
    'dqmap',
    { dqmap: { path: '/xpcs/dqmap', data: new Int32Array(SIZE * SIZE).fill(1), shape: [SIZE, SIZE] } },
    'changes',
  ],
  [
    'sqmap',
    {
      sqmap: {
        path: '/xpcs/sqmap',
        data: Int32Array.from({ length: SIZE * SIZE }, (_, p) => 1 + (p % 3)),
        shape: [SIZE, SIZE],
      },
    },
    'changes',
  ],
  [
    'mask',
    {
      mask: {
        path: '/xpcs/mask',
        data: Int32Array.from({ length: SIZE * SIZE }, (_, p) => (p % 5 ? 1 : 0)),
        shape: [SIZE, SIZE],
      },
    },
    'changes',
  ],
  ['transposed', { transposed: 'SOMETIMES' }, 'refused'],
  ['data_begin_todo', { data_begin_todo: 5 }, 'changes'],
  ['data_end_todo', { data_end_todo: 60 }, 'changes'],
  ['dark_begin_todo', { ...dark }, 'changes'],
  ['dark_end_todo', { dark_begin_todo: 1, dark_end_todo: 20, data_begin_todo: 11 }, 'changes'],
  ['lld', { lld: 2.5 }, 'refused'],
  ['sigma', { sigma: 1.5 }, 'refused'],
  ['delays_per_level', { delays_per_level: 2 }, 'changes'],
  ['stride_frames', { stride_frames: 2 }, 'changes'],
  ['avg_frames', { avg_frames: 2 }, 'changes'],
  ['static_mean_window_size', { static_mean_window_size: 7 }, 'changes'],
  ['normalize_by_framesum', { normalize_by_framesum: 1 }, 'changes'],
  [
    'flatfield_enabled',
    { flatfield_enabled: 'ENABLED' },
    'changes',
    [{ path: '/measurement/instrument/detector/flatfield', data: flat, shape: [SIZE, SIZE] }],
  ],
  ['analysis_type', { analysis_type: 'Threetime' }, 'refused'],
  ['smoothing_method', { smoothing_method: 'median' }, 'refused'],
  ['smoothing_filter', { smoothing_filter: 'Gaussian' }, 'refused'],
  ['qphi_bin_to_process', { ...twotime }, 'changes'],
  ['twotime2onetime_window_size', { twotime2onetime_window_size: 0 }, 'refused'],
  ['input_file_local', { input_file_local: 'elsewhere.imm' }, 'same'],
  ['output_data', { output_data: '/results' }, 'same'],
  ['compression', { compression: 'ENABLED' }, 'refused'],
  ['data_begin', { data_begin: 3 }, 'refused'],
  ['data_end', { data_end: 40 }, 'refused'],
  ['dark_begin', { dark_begin: 1 }, 'same'],
  ['dark_end', { dark_end: 10 }, 'same'],
  ['dqlist', { dqlist: { path: '/xpcs/dqlist', data: Float64Array.of(0.1, 0.2, 0.3), shape: [1, 3] } }, 'same'],
  ['sqlist', { sqlist: { path: '/xpcs/sqlist', data: Float64Array.of(0.1, 0.2), shape: [1, 2] } }, 'same'],
  ['dphilist', { dphilist: { path: '/xpcs/dphilist', data: Float64Array.of(5, 6, 7), shape: [1, 3] } }, 'same'],
  ['sphilist', { sphilist: { path: '/xpcs/sphilist', data: Float64Array.of(5, 6), shape: [1, 2] } }, 'same'],
  ['dnoq', { dnoq: 3 }, 'same'],
  ['snoq', { snoq: 6 }, 'same'],
  ['Version', { Version: '0.9' }, 'same'],
  ...(
    [
      'dnophi',
      'snophi',
      'batches',
      'num_g2partials',
      'dynamic_mean_window_size',
      'specscan_dark_number',
      'specscan_data_number',
    ] as const
  ).map((f) => [f, { [f]: 3 }, 'same'] as [string, Record<string, unknown>, Expect]),
  ...(['dqspan', 'sqspan', 'dphispan', 'sphispan', 'swbinX', 'swbinY'] as const).map(
    (f) =>
      [f, { [f]: { path: `/xpcs/${f}`, data: Float64Array.of(1, 2), shape: [1, 2] } }, 'same'] as [
        string,
        Record<string, unknown>,
        Expect,
      ],
  ),
  ...(
    [
      'input_file_remote',
      'output_file_local',
      'output_file_remote',
      'qmap_hdf5_filename',
      'specfile',
      'normalization_method',
    ] as const
  ).map((f) => [f, { [f]: 'something' }, 'same'] as [string, Record<string, unknown>, Expect]),
  ['blemish_enabled', { blemish_enabled: 'ENABLED' }, 'refused'],
  ['kinetics', { kinetics: 'ENABLED' }, 'refused'],
  ['normalize_by_smoothed_img', { normalize_by_smoothed_img: 1 }, 'refused'],
];

describe('every /xpcs field is honoured or refused', () => {
  it('the table covers every field stagebook knows', () => {
    expect(CASES.map((c) => c[0]).sort()).toEqual(Object.keys(XPCS_CORR_FIELDS).sort());
  });

  it.each(CASES)('%s', async (field, fields, expected, extra) => {
    const file = await configWith(`case-${field}`, fields, extra);
    if (expected === 'refused') {
      await expect(run(file)).rejects.toMatchObject({
        code: 'E_CONFIG_UNSUPPORTED',
        context: { field: expect.stringContaining(field) },
      });
      return;
    }
    const got = await run(file);
    expect(same(got, baseline)).toBe(expected === 'same');
  });

  it('refuses a field it does not know, naming it and its value', async () => {
    const file = await configWith('unknown', { flux_capacitor: 'ENABLED' });
    await expect(run(file)).rejects.toThrow(/E_CONFIG_UNSUPPORTED: \/xpcs\/flux_capacitor = "ENABLED"/);
  });

  it('accepts the off values of settings it does not implement', async () => {
    const file = await configWith('off', {
      blemish_enabled: 'DISABLED',
      kinetics: 'DISABLED',
      normalize_by_smoothed_img: 0,
    });
    expect(same(await run(file), baseline)).toBe(true);
  });

  it('lld and sigma are honoured with a dark block', async () => {
    const withDark = await run(await configWith('dark-only', dark));
    const withLld = await run(await configWith('dark-lld', { ...dark, lld: 2.5, sigma: 1.5 }));
    expect(same(withDark, withLld)).toBe(false);
  });

  it('transposed = ENABLED transposes the maps like configuration.cpp', async () => {
    const dq = Int32Array.from({ length: SIZE * SIZE }, (_, p) => 1 + (p % SIZE < 5 ? 1 : 0));
    const file = await configWith('transposed', {
      transposed: 'ENABLED',
      dqmap: { path: '/xpcs/dqmap', data: dq, shape: [SIZE, SIZE] },
    });
    const s = (await readXpcsCorrConfig(file)).settings;
    for (let r = 0; r < SIZE; r++) for (let c = 0; c < SIZE; c++) expect(s.dqmap[c * SIZE + r]).toBe(dq[r * SIZE + c]);
  });

  it('compat mode reads a 1-D qphi_bin_to_process as corr does (no bins), the default mode takes them all', async () => {
    const file = await configWith('qphi-1d', {
      ...twotime,
      twotime2onetime_window_size: 4,
      qphi_bin_to_process: { path: '/xpcs/qphi_bin_to_process', data: Float64Array.of(1, 2), shape: [2], dtype: 'i8' },
    });
    expect((await readXpcsCorrConfig(file, { compat: 'xpcs-eigen' })).settings.qphiBinToProcess).toEqual([]);
    expect((await readXpcsCorrConfig(file)).settings.qphiBinToProcess).toEqual([1, 2]);
  });
});
