/**
 * Larger-than-memory paths against the in-memory one on data that fits both, bit for bit: the
 * two-time tiles (xpcsTwoTimeStream) written to HDF5 as produced, read back, and the streaming
 * multi-tau through correlateXpcsFile({stream: true}) on a real IMM file.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withHdf5, writeHdf5, type Hdf5DatasetSpec } from '../../formats/hdf5';
import { readXpcsLegacyResults, writeTwoTimeStreamed } from '../../formats/xpcs';
import {
  ArrayCorrSource,
  xpcsCorr,
  xpcsTwoTimeStream,
  type CorrRawFrame,
  type XpcsCorrSettingsInput,
} from '../../numeric/xpcs';
import { seededRandom } from '../../simulate/random';

const H = 10;
const W = 12;

function frames(T: number, sparse: boolean): CorrRawFrame[] {
  const r = seededRandom(5);
  return Array.from({ length: T }, (_, t) => {
    const dense = Uint16Array.from({ length: H * W }, () => (r.uniform() < 0.3 ? 1 + Math.floor(r.uniform() * 4) : 0));
    if (!sparse) return { elapsed: t, tick: t, dense };
    const idx = [...dense.keys()].filter((p) => dense[p] > 0 || p % 29 === t % 29);
    return { elapsed: t, tick: t, indices: idx, values: idx.map((p) => dense[p]) };
  });
}

function settings(extra: Partial<XpcsCorrSettingsInput>): XpcsCorrSettingsInput {
  const dq = Array.from({ length: H * W }, (_, p) => 1 + (Math.floor(p / W) % 3));
  const sq = dq.map((q, p) => 2 * q - 1 + (p % 2));
  sq[13] = 1; // a static bin spanning two q-bins
  return {
    shape: [H, W],
    dqmap: dq,
    sqmap: sq,
    dataBeginTodo: 1,
    dataEndTodo: 60,
    delaysPerLevel: 3,
    staticMeanWindowSize: 7,
    normFactor: null,
    analysisType: 'Twotime',
    qphiBinToProcess: [1, 3],
    twotime2onetimeWindowSize: 4,
    ...extra,
  };
}

const CASES: Array<[string, boolean, Partial<XpcsCorrSettingsInput>]> = [
  ['symmetric, dense', false, {}],
  [
    'StaticMap + Average, sparse, frame-sum normalisation, stride 2',
    true,
    { smoothingMethod: 'StaticMap', smoothingFilter: 'Average', normalizeByFramesum: true, strideFrames: 2 },
  ],
  ['symmetric, compat mode', false, { compat: 'xpcs-eigen' }],
];

describe('two-time in tiles written to HDF5 as produced', () => {
  it.each(CASES)('%s: bit-identical to the in-memory maps', async (_n, sparse, extra) => {
    const mem = xpcsCorr(new ArrayCorrSource(sparse, frames(60, sparse)), settings(extra));
    const file = join(mkdtempSync(join(tmpdir(), 'xpcs-tt-')), 'tiles.hdf');
    const N = mem.frames;
    let rowsPerTile = 0;
    await writeTwoTimeStreamed(file, N, (sink) => {
      const r = xpcsTwoTimeStream(new ArrayCorrSource(sparse, frames(60, sparse)), settings(extra), sink, {
        memoryBudgetBytes: 9000,
      });
      rowsPerTile = r.rowsPerTile;
      return r.datasets;
    });
    expect(rowsPerTile).toBeLessThan(N);
    const back = await readXpcsLegacyResults(file);
    expect(Object.keys(back).sort()).toEqual([...mem.datasets.keys()].sort());
    for (const [k, v] of mem.datasets) {
      expect(back[k].shape, k).toEqual(v.shape);
      for (let i = 0; i < v.data.length; i++)
        if (!Object.is(back[k].data[i], v.data[i])) expect.fail(`${k}[${i}]: ${back[k].data[i]} != ${v.data[i]}`);
    }
  });
});

describe('correlateXpcsFile({stream}) on a real IMM file', () => {
  it('multi-tau and two-time stream to the same bits as the in-memory run', async () => {
    const { writeImm } = await import('../../formats/imm');
    const { writeXpcsLegacyConfig } = await import('../../formats/xpcs');
    const { correlateXpcsFile } = await import('./corr-file');
    const dir = mkdtempSync(join(tmpdir(), 'xpcs-stream-'));
    const fr = frames(60, false);
    const data = new Uint16Array(60 * H * W);
    fr.forEach((f, t) => data.set(f.dense as Uint16Array, t * H * W));
    await writeImm(join(dir, 'd.imm'), { data, shape: [60, H, W] }, { compression: 'sparse' });
    const s = settings({});
    for (const analysisType of ['Multitau', 'Twotime'] as const) {
      const cfg = join(dir, `${analysisType}.hdf`);
      await writeXpcsLegacyConfig(cfg, {
        dqmap: Int32Array.from(s.dqmap as number[]),
        sqmap: Int32Array.from(s.sqmap as number[]),
        shape: [H, W],
        delaysPerLevel: 3,
        dataBegin: 1,
        dataEnd: 60,
        inputFileLocal: 'd.imm',
        analysisType,
        twotime2onetimeWindowSize: 4,
      });
      const specs = await withHdf5(cfg, (r) =>
        r
          .datasetPaths()
          .map((p) => ({ path: p, data: r.read(p).value as Hdf5DatasetSpec['data'], shape: r.read(p).shape })),
      );
      await writeHdf5(cfg, [
        ...specs,
        { path: '/xpcs/qphi_bin_to_process', data: Float64Array.of(1, 3), shape: [2, 1], dtype: 'i8' },
      ]);
      const mem = await correlateXpcsFile(cfg, { output: join(dir, `${analysisType}-mem.hdf`) });
      const a = await readXpcsLegacyResults(mem.output!);
      // Multi-tau on 1, 2 and 3 worker threads; two-time has no threads option (refused when given).
      for (const threads of analysisType === 'Multitau' ? [1, 2, 3] : [undefined]) {
        const str = await correlateXpcsFile(cfg, {
          output: join(dir, `${analysisType}-str-${threads}.hdf`),
          stream: { memoryBudgetBytes: 5000, threads },
        });
        const b = await readXpcsLegacyResults(str.output!);
        const what = `${analysisType} (threads ${threads})`;
        expect(Object.keys(b).sort(), what).toEqual(Object.keys(a).sort());
        for (const k of Object.keys(a)) expect(Array.from(b[k].data), `${what} ${k}`).toEqual(Array.from(a[k].data));
      }
      if (analysisType === 'Twotime')
        await expect(correlateXpcsFile(cfg, { output: null, stream: { threads: 2 } })).rejects.toThrow(
          /stream\.threads applies to the streamed multi-tau/,
        );
    }
  });
});
