/**
 * Results in both layouts: the NeXus file holds the legacy file's numbers under the paths
 * pyXpcsViewer reads (checked with h5py, Debian's python), the fit datasets exist with the
 * dimensions xpcs_qc.py checks, and the QC lists pass on the result datasets.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeImm } from '../../formats/imm';
import {
  checkXpcsFile,
  checkXpcsFileAps,
  detectXpcsLayout,
  readXpcsLegacyResults,
  readXpcsNexus,
  writeXpcsLegacyConfig,
} from '../../formats/xpcs';
import { simulateSpeckleSeries } from '../../simulate';
import { correlateXpcsFile } from './corr-file';

const H = 24;
const T = 200;
let dir = '';
let cfg = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'xpcs-nexus-'));
  const sim = simulateSpeckleSeries({
    frames: T,
    height: H,
    width: H,
    rings: 3,
    tau0: 10,
    meanCounts: 5,
    modes: 2,
    seed: 9,
  });
  await writeImm(join(dir, 'd.imm'), sim.frames, { compression: 'sparse' });
  cfg = join(dir, 'd.hdf');
  await writeXpcsLegacyConfig(cfg, {
    dqmap: Int32Array.from(sim.dqmap),
    sqmap: Int32Array.from(sim.sqmap),
    shape: [H, H],
    delaysPerLevel: 4,
    dataBegin: 1,
    dataEnd: T,
    inputFileLocal: 'd.imm',
    detector: { exposurePeriod: 0.01, exposureTime: 0.01 },
  });
});

describe('NeXus layout, fit datasets and QC', () => {
  it('legacy with fits passes both QC lists on the result datasets; NeXus holds the same numbers', async () => {
    const legacy = await correlateXpcsFile(cfg, { output: join(dir, 'legacy.hdf'), fits: true });
    const nx = await correlateXpcsFile(cfg, { layout: 'nexus', output: join(dir, 'out.nxs'), fits: true });
    const qc = await checkXpcsFile(legacy.output!, { includeFits: true });
    expect(qc.missing).toEqual([]);
    expect(qc.wrongDims).toEqual([]);
    const aps = await checkXpcsFileAps(legacy.output!);
    expect(aps.bad.filter((b) => b.path.startsWith('/exchange/'))).toEqual([
      { path: '/exchange/partition_norm_factor', expected: 2, actual: null },
    ]);
    const ex = await readXpcsLegacyResults(legacy.output!);
    for (const k of ['tauFIT1', 'tauErrFIT1', 'contrastFIT2', 'exponentFIT2']) expect(ex[k].shape).toEqual([1, 3]);
    expect(ex.g2avgFIT1.shape).toEqual([1, ex['norm-0-g2'].shape[0], 3]);
    // Decay times come out in seconds, near the generator's (tau0 * 0.01 s for ring 1, 2 tau per g2 lag).
    expect(ex.tauFIT1.data[0]).toBeGreaterThan(0.01);
    expect(await detectXpcsLayout(nx.output!)).toBe('nexus');
    const n = await readXpcsNexus(nx.output!);
    expect(Array.from(n.g2!.data)).toEqual(Array.from(ex['norm-0-g2'].data));
    expect(Array.from(n.g2Err!.data)).toEqual(Array.from(ex['norm-0-stderr'].data));
    expect(Array.from(n.delayList!.data)).toEqual(Array.from(ex.tau.data, (t) => t * 0.01));
    expect(Array.from(n.scattering2d!.data)).toEqual(Array.from(ex.pixelSum.data));
  });

  it("h5py reads the NeXus file under pyXpcsViewer's key map", async () => {
    const nx = await correlateXpcsFile(cfg, { layout: 'nexus', output: join(dir, 'viewer.nxs') });
    const script = [
      'import sys, h5py',
      "keymap = {'g2': '/xpcs/multitau/normalized_g2', 'g2_err': '/xpcs/multitau/normalized_g2_err', 'tau': '/xpcs/multitau/delay_list',",
      "  'saxs2d': '/xpcs/temporal_mean/scattering_2d', 'saxs1d': '/xpcs/temporal_mean/scattering_1d', 'saxs1d_segments': '/xpcs/temporal_mean/scattering_1d_segments',",
      "  'sqmap': '/xpcs/qmap/static_roi_map', 'dqmap': '/xpcs/qmap/dynamic_roi_map', 'Int_t': '/xpcs/spatial_mean/intensity_vs_time',",
      "  'dqlist': '/xpcs/qmap/dynamic_v_list_dim0', 'mask': '/xpcs/qmap/mask'}",
      "with h5py.File(sys.argv[1], 'r') as f:",
      "    for k, p in keymap.items(): print(k, 'x'.join(str(d) for d in f[p].shape))",
      "    print('meta', '/entry/instrument/bluesky/metadata' in f)",
    ].join('\n');
    const out = execFileSync('/usr/bin/python3', ['-c', script, nx.output!], { encoding: 'utf8' });
    const shapes = Object.fromEntries(
      out
        .trim()
        .split('\n')
        .map((l) => l.split(' ')),
    );
    const nd = nx.result.delays.length;
    expect(shapes).toMatchObject({
      g2: `${nd}x3`,
      g2_err: `${nd}x3`,
      tau: `${nd}`,
      saxs2d: `1x${H}x${H}`,
      sqmap: `${H}x${H}`,
      dqmap: `${H}x${H}`,
      Int_t: `2x${T}`,
      dqlist: '3',
      meta: 'True',
    });
  });
});
