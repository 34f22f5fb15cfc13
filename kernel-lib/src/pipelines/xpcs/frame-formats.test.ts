/**
 * Every input format corr reads gives the same correlation: the same frames written as dense IMM,
 * sparse IMM, Rigaku 64-bit .bin and HDF5 stacks (gzip and uncompressed) through correlateXpcsFile;
 * a stack with a filter h5wasm cannot decode is refused naming the filter.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeImm } from '../../formats/imm';
import { writeXpcsLegacyConfig } from '../../formats/xpcs';
import { Hdf5StackCorrSource, writeHdf5FrameStack } from '../../formats/xpcs/hdf5-stack';
import { RigakuCorrSource, writeRigakuBin } from '../../formats/xpcs/rigaku';
import { simulateSpeckleSeries } from '../../simulate';
import { correlateXpcsFile } from './corr-file';

const H = 12;
const W = 10;
const T = 64;
let dir = '';
let data: Uint16Array;
let cfg = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'xpcs-formats-'));
  const sim = simulateSpeckleSeries({
    frames: T,
    height: H,
    width: W,
    rings: 2,
    tau0: 6,
    meanCounts: 2,
    modes: 2,
    seed: 3,
  });
  data = Uint16Array.from(sim.frames.data);
  data.fill(0, 20 * H * W, 21 * H * W); // an empty frame: formats must keep it
  cfg = join(dir, 'cfg.hdf');
  await writeXpcsLegacyConfig(cfg, {
    dqmap: Int32Array.from(sim.dqmap),
    sqmap: Int32Array.from(sim.sqmap),
    shape: [H, W],
    delaysPerLevel: 4,
    dataBegin: 1,
    dataEnd: T,
    inputFileLocal: 'dense.imm',
  });
  await writeImm(join(dir, 'dense.imm'), { data, shape: [T, H, W] });
  await writeImm(join(dir, 'sparse.imm'), { data, shape: [T, H, W] }, { compression: 'sparse' });
  const frames = Array.from({ length: T }, (_, t) => {
    const f = data.subarray(t * H * W, (t + 1) * H * W);
    const indices = [...f.keys()].filter((p) => f[p] > 0);
    return { indices, values: indices.map((p) => f[p]) };
  });
  // Rigaku files cannot end with an empty frame (frames exist through their events): the last frame has counts.
  expect(frames[T - 1].indices.length).toBeGreaterThan(0);
  await writeRigakuBin(join(dir, 'events.bin'), [H, W], frames);
  await writeHdf5FrameStack(join(dir, 'stack-gzip.h5'), data, [T, H, W]);
  await writeHdf5FrameStack(join(dir, 'stack-raw.h5'), data, [T, H, W], { compression: null });
});

const products = [
  'norm-0-g2',
  'norm-0-stderr',
  'tau',
  'pixelSum',
  'frameSum',
  'partition-mean-total',
  'partition-mean-partial',
];

describe('frame formats', () => {
  it('Rigaku and HDF5 stacks read back the frames written', async () => {
    const rig = new RigakuCorrSource(join(dir, 'events.bin'), [H, W]);
    const st = await Hdf5StackCorrSource.open(join(dir, 'stack-gzip.h5'));
    expect(rig.frameCount).toBe(T);
    expect(st.frameCount).toBe(T);
    for (let t = 0; t < T; t++) {
      const want = data.subarray(t * H * W, (t + 1) * H * W);
      const r = rig.next();
      const dense = new Uint16Array(H * W);
      Array.from(r.indices!).forEach((p, k) => (dense[p] += r.values![k]));
      expect(Array.from(dense)).toEqual(Array.from(want));
      expect(Array.from(st.next().dense!)).toEqual(Array.from(want));
    }
    rig.close();
    st.close();
  });

  it('dense IMM, sparse IMM, Rigaku and HDF5 stacks give the same correlation', async () => {
    const runs = {
      dense: await correlateXpcsFile(cfg, { output: null }),
      sparse: await correlateXpcsFile(cfg, { imm: join(dir, 'sparse.imm'), output: null }),
      rigaku: await correlateXpcsFile(cfg, { rigaku: join(dir, 'events.bin'), output: null }),
      gzip: await correlateXpcsFile(cfg, { hdf5: join(dir, 'stack-gzip.h5'), output: null }),
      raw: await correlateXpcsFile(cfg, { hdf5: join(dir, 'stack-raw.h5'), output: null }),
    };
    for (const [name, r] of Object.entries(runs)) {
      for (const k of products)
        expect(Array.from(r.result.datasets.get(k)!.data), `${name} ${k}`).toEqual(
          Array.from(runs.dense.result.datasets.get(k)!.data),
        );
    }
  });

  it('refuses a stack compressed with a filter h5wasm cannot decode, naming it', async () => {
    const lz4 = join(__dirname, '../../../../test/fixtures/xpcs/stack-lz4.h5');
    await expect(Hdf5StackCorrSource.open(lz4)).rejects.toMatchObject({
      code: 'E_UNSUPPORTED',
      message: expect.stringMatching(/filter 32004 \(lz4\)/),
    });
  });

  it('refuses compat mode for Rigaku input and more than one frame file', async () => {
    await expect(
      correlateXpcsFile(cfg, { rigaku: join(dir, 'events.bin'), compat: 'xpcs-eigen', output: null }),
    ).rejects.toMatchObject({ code: 'E_CONFIG_UNSUPPORTED' });
    await expect(
      correlateXpcsFile(cfg, { rigaku: join(dir, 'events.bin'), hdf5: join(dir, 'stack-raw.h5'), output: null }),
    ).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
  });
});

describe('the xpcs pipeline takes any frame format', () => {
  it('an HDF5 stack and a Rigaku file beside a .hdf configuration run through xpcs-corr + xpcs-fit', async () => {
    const { runPipeline } = await import('../../engine/runner');
    const { xpcsPipeline, xpcsWorkspaceConfig } = await import('./pipeline');
    const { copyFileSync, mkdirSync } = await import('node:fs');
    const root = mkdtempSync(join(tmpdir(), 'xpcs-formats-ws-'));
    for (const [name, file] of [
      ['stack', 'stack-gzip.h5'],
      ['rigaku', 'events.bin'],
    ]) {
      mkdirSync(join(root, 'raw', name), { recursive: true });
      copyFileSync(join(dir, file), join(root, 'raw', name, file));
      copyFileSync(cfg, join(root, 'raw', name, `${name}.hdf`));
    }
    const run = await runPipeline(
      xpcsPipeline,
      xpcsWorkspaceConfig(root, { stages: { 'xpcs-corr': { twoTime: false, threads: 1, sectors: 4 } } }),
    );
    expect(run.failures).toEqual([]);
    expect(run.status).toBe('succeeded');
  });
});
