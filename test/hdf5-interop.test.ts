// HDF5 interop with h5py (Debian python3-h5py): fixtures from scripts/fixtures/xpcs/*.py, and
// h5py's view of our files via dump_h5.py.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isStagebookError, type StagebookErrorCode } from '../kernel-lib/src/errors/stagebook-error';
import { Hdf5Reader, writeHdf5, withHdf5 } from '../kernel-lib/src/formats/hdf5';
import {
  checkXpcsFile,
  detectXpcsLayout,
  flattenXpcsMetadata,
  readXpcsLegacyConfig,
  readXpcsLegacyResults,
  readXpcsNexus,
  writeXpcsLegacyResults,
} from '../kernel-lib/src/formats/xpcs';

const FIX = path.join(__dirname, '..', 'scripts', 'fixtures', 'xpcs');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-h5-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function py(script: string, args: string[]): string {
  const r = spawnSync('/usr/bin/python3', [path.join(FIX, script), ...args], {
    encoding: 'utf8',
    maxBuffer: 256 << 20,
  });
  if (r.status !== 0) throw new Error(`${script} ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}
type Dump = Record<string, { shape: number[]; dtype: string; data: Array<number | null> | string | string[] }>;
const dump = (file: string): Dump => JSON.parse(py('dump_h5.py', [file]));
const fixture = (name: string, script: string, args: string[] = []): string => {
  const file = path.join(dir, name);
  if (!fs.existsSync(file)) py(script, [file, ...args]);
  return file;
};
const nums = (a: ArrayLike<number>): Array<number | null> => Array.from(a, (x) => (Number.isNaN(x) ? null : x));

async function stagebookError(p: Promise<unknown>, code: StagebookErrorCode): Promise<Record<string, unknown>> {
  const e = await p.then(
    () => null,
    (x) => x,
  );
  expect(isStagebookError(e, code), `expected ${code}, got ${e}`).toBe(true);
  return e.context;
}

describe('h5py-written files read by stagebook', () => {
  it('every dataset of a legacy file matches h5py (values and shapes)', async () => {
    const file = fixture('legacy-results.h5', 'make_legacy.py', ['--results']);
    const ref = dump(file);
    await withHdf5(file, (r) => {
      expect(r.datasetPaths().sort()).toEqual(Object.keys(ref).sort());
      for (const [p, d] of Object.entries(ref)) {
        const got = r.read(p);
        expect(got.shape, p).toEqual(d.shape);
        if (typeof d.data === 'string' || (Array.isArray(d.data) && typeof d.data[0] === 'string')) {
          expect(Array.isArray(d.data) ? got.value : got.value, p).toEqual(d.data);
        } else {
          const v = typeof got.value === 'number' ? [got.value] : Array.from(got.value as ArrayLike<number>);
          expect(nums(v), p).toEqual(d.data);
        }
      }
    });
  });

  it('reads the legacy configuration', async () => {
    const file = fixture('legacy.h5', 'make_legacy.py');
    const ref = dump(file);
    const cfg = await readXpcsLegacyConfig(file);
    expect(cfg.dqmap.shape).toEqual([16, 20]);
    expect(Array.from(cfg.dqmap.data)).toEqual(ref['/xpcs/dqmap'].data);
    expect(Array.from(cfg.sqmap.data)).toEqual(ref['/xpcs/sqmap'].data);
    expect(cfg).toMatchObject({
      delaysPerLevel: 4,
      dataBegin: 1,
      dataEnd: 100,
      darkBegin: 0,
      darkEnd: 0,
      strideFrames: 1,
      avgFrames: 1,
      analysisType: 'Multitau',
      outputData: '/exchange',
      flatfieldEnabled: true,
      normalizeByFramesum: false,
      version: '0.5',
      smoothingMethod: 'symmetric',
      twotime2onetimeWindowSize: 50,
      thickness: 1,
    });
    expect(cfg.detector).toMatchObject({ xDimension: 20, yDimension: 16, distance: 5000, exposurePeriod: 0.00102 });
    expect(Number.isNaN(cfg.beamIntensityTransmitted)).toBe(true);
  });

  it('reads /exchange results with the corr shapes', async () => {
    const file = fixture('legacy-results.h5', 'make_legacy.py', ['--results']);
    const ref = dump(file);
    const res = await readXpcsLegacyResults(file);
    expect(res['norm-0-g2'].shape).toEqual([12, 5]);
    expect(res['tau'].shape).toEqual([1, 12]);
    expect(res['frameSum'].shape).toEqual([2, 100]);
    expect(res['C2T_all/g2_00001'].shape).toEqual([20, 20]);
    expect(nums(res['norm-0-stderr'].data)).toEqual(ref['/exchange/norm-0-stderr'].data);
  });

  it('reads the NeXus layout and detects layouts', async () => {
    const nx = fixture('nexus.h5', 'make_nexus.py');
    const ref = dump(nx);
    expect(await detectXpcsLayout(nx)).toBe('nexus');
    expect(await detectXpcsLayout(fixture('legacy.h5', 'make_legacy.py'))).toBe('legacy');
    const got = await readXpcsNexus(nx);
    expect(got.g2!.shape).toEqual([9, 4]);
    expect(nums(got.g2!.data)).toEqual(ref['/xpcs/multitau/normalized_g2'].data);
    expect(nums(got.delayList!.data)).toEqual(ref['/xpcs/multitau/delay_list'].data);
    expect(got.dynamicRoiMap!.shape).toEqual([12, 10]);
    expect(got.scattering2d!.shape).toEqual([1, 12, 10]);
    expect(Object.keys(got.correlationMaps!).sort()).toEqual(['c2_00001', 'c2_00002']);
    expect(nums(got.correlationMaps!.c2_00002.data)).toEqual(ref['/xpcs/twotime/correlation_map/c2_00002'].data);
  });

  it('flattens metadata: dotted keys, (1,1)/(1,2) flattened, NaN -> 0, spoiled key dropped', async () => {
    const meta = await flattenXpcsMetadata(fixture('legacy-results.h5', 'make_legacy.py', ['--results']));
    expect(meta['measurement.instrument.detector.distance']).toBe(5000);
    expect(meta['xpcs.analysis_type']).toBe('Multitau');
    expect(meta['measurement.instrument.acquisition.beam_center']).toEqual([8, 10]);
    expect(meta['measurement.instrument.source_begin.beam_intensity_transmitted']).toBe(0);
    expect('measurement.instrument.source_begin.datetime' in meta).toBe(false);
    expect('measurement.instrument.detector.roi' in meta).toBe(false); // (1,4) is not metadata
    expect('xpcs.dqmap' in meta).toBe(false);
    expect(meta['exchange.partition_norm_factor']).toBe(0.125);
    expect(meta.aps_cycle_v2).toBe('2019-3');
  });

  it('QC: a complete file passes, a config-only file lists the missing results', async () => {
    const full = await checkXpcsFile(fixture('legacy-results.h5', 'make_legacy.py', ['--results']));
    expect(full.missing).toEqual([]);
    expect(full.ok).toBe(true);
    const cfg = await checkXpcsFile(fixture('legacy.h5', 'make_legacy.py'));
    expect(cfg.ok).toBe(false);
    expect(cfg.missing).toContain('/exchange/norm-0-g2');
    expect(cfg.missing).toContain('/exchange/pixelSum');
    const two = await checkXpcsFile(fixture('legacy-results.h5', 'make_legacy.py', ['--results']), {
      analysisType: 'Twotime',
    });
    expect(two.missing).toEqual(['/exchange/g2full', '/exchange/g2partials']);
  });
});

describe('stagebook-written files read by h5py', () => {
  it('legacy results: identical data and exact shapes, config copied', async () => {
    const nTau = 6,
      nQ = 3,
      n = 10;
    const g2 = Float64Array.from({ length: nTau * nQ }, (_, i) => 1 + i / 100);
    const stderr = Float64Array.from({ length: nTau * nQ }, (_, i) => i / 1e4);
    const out = path.join(dir, 'ours.h5');
    await writeXpcsLegacyResults(
      out,
      {
        multiTau: { g2, stderr, tau: [1, 2, 3, 4, 6, 8], nTau, nQ },
        pixelSum: { data: Float64Array.from({ length: 12 }, (_, i) => i * 0.5), shape: [3, 4] },
        frameSum: Float64Array.from({ length: n }, (_, i) => 0.1 * i),
        partitionMeanTotal: [1, 2, 3, 4],
        partitionMeanPartial: { data: new Float64Array(8).fill(2), shape: [2, 4] },
        partitionNormFactor: 0.5,
        timestampClock: Float64Array.from({ length: n }, (_, i) => i * 0.001),
        timestampTick: Float64Array.from({ length: n }, (_, i) => 100 + i),
        twoTime: {
          c2t: [{ q: 1, data: new Float64Array(25).map((_, i) => i), size: 5 }],
          g2full: { data: new Float64Array(8), shape: [4, 2] },
          g2partials: { data: new Float64Array(12), shape: [2, 3, 2] },
        },
      },
      { configFile: fixture('legacy.h5', 'make_legacy.py') },
    );
    const ref = dump(out);
    const src = dump(fixture('legacy.h5', 'make_legacy.py'));
    const shapes = Object.fromEntries(
      Object.entries(ref)
        .filter(([p]) => p.startsWith('/exchange/'))
        .map(([p, d]) => [p.slice(10), d.shape]),
    );
    expect(shapes).toEqual({
      'norm-0-g2': [6, 3],
      'norm-0-stderr': [6, 3],
      tau: [1, 6],
      pixelSum: [3, 4],
      frameSum: [2, 10],
      'partition-mean-total': [1, 4],
      'partition-mean-partial': [2, 4],
      partition_norm_factor: [],
      timestamp_clock: [2, 10],
      timestamp_tick: [2, 10],
      'C2T_all/g2_00001': [5, 5],
      g2full: [4, 2],
      g2partials: [2, 3, 2],
    });
    expect(ref['/exchange/norm-0-g2'].data).toEqual(Array.from(g2));
    expect(ref['/exchange/frameSum'].data).toEqual([
      ...Array.from({ length: n }, (_, i) => i + 1),
      ...Array.from({ length: n }, (_, i) => 0.1 * i),
    ]);
    expect(ref['/exchange/norm-0-g2'].dtype).toBe('<f8');
    for (const [p, d] of Object.entries(src)) {
      expect(ref[p]?.shape, p).toEqual(d.shape);
      expect(ref[p]?.data, p).toEqual(d.data);
    }
    expect(ref['/xpcs/dqmap'].dtype).toBe('<i4');
    expect(ref['/xpcs/delays_per_level'].dtype).toBe('<i8');
    expect(await readXpcsLegacyConfig(out)).toMatchObject({ delaysPerLevel: 4, analysisType: 'Multitau' });
  });

  it('the configuration is copied exactly: attributes, big-endian and fixed-length string dtypes (issue 22 item 14)', async () => {
    const config = path.join(dir, 'typed-config.h5');
    const make = [
      'import sys, h5py, numpy as np',
      'with h5py.File(sys.argv[1], "w") as f:',
      '    d = f.create_dataset("/xpcs/dqmap", data=np.arange(12, dtype=">i4").reshape(3, 4))',
      '    d.attrs["units"] = "pixel"; d.attrs["description"] = np.bytes_("dynamic q map")',
      '    f["/xpcs/scale"] = np.array([1.5, 2.5], dtype=">f8")',
      '    f["/xpcs/analysis_type"] = np.bytes_("Multitau")',
      '    f["/xpcs/Version"] = "0.5"',
      '    g = f.create_group("/measurement/instrument"); g.attrs["beam_center"] = np.array([10.5, 20.25]); g.attrs["NX_class"] = "NXinstrument"',
      '    x = f.create_dataset("/measurement/instrument/detector/distance", data=np.float32(5.0)); x.attrs["units"] = np.bytes_("m")',
    ].join('\n');
    const made = spawnSync('/usr/bin/python3', ['-c', make, config], { encoding: 'utf8' });
    expect(made.status, made.stderr).toBe(0);
    const out = path.join(dir, 'typed-results.h5');
    await writeXpcsLegacyResults(out, { partitionMeanTotal: [1, 2] }, { configFile: config });
    // h5py's view of every object: dtype, shape, attribute names, dtypes and values.
    const describe = [
      'import sys, json, h5py, numpy as np',
      'out = {}',
      'def v(x):',
      '    x = np.asarray(x)',
      '    return [str(y) for y in x.ravel().tolist()]',
      'def visit(name, obj):',
      '    if name.startswith("exchange"): return',
      '    e = {"attrs": {k: [np.asarray(a).dtype.str, list(np.shape(a)), v(a)] for k, a in obj.attrs.items()}}',
      '    if isinstance(obj, h5py.Dataset): e.update(dtype=obj.dtype.str, shape=list(obj.shape), value=v(obj[()]))',
      '    out[name] = e',
      'h5py.File(sys.argv[1], "r").visititems(visit)',
      'print(json.dumps(out, sort_keys=True))',
    ].join('\n');
    const view = (file: string): unknown =>
      JSON.parse(spawnSync('/usr/bin/python3', ['-c', describe, file], { encoding: 'utf8' }).stdout);
    const theirs = view(config) as Record<string, { dtype?: string; attrs: Record<string, unknown> }>;
    expect(theirs['xpcs/dqmap'].dtype).toBe('>i4');
    expect(theirs['xpcs/analysis_type'].dtype).toBe('|S8');
    expect(Object.keys(theirs['measurement/instrument'].attrs).sort()).toEqual(['NX_class', 'beam_center']);
    expect(view(out)).toEqual(theirs);
    expect(dump(out)['/exchange/partition-mean-total'].data).toEqual([1, 2]);
    // A configuration that already holds results is refused rather than mixed with new ones.
    await stagebookError(
      writeXpcsLegacyResults(path.join(dir, 'twice.h5'), { partitionMeanTotal: [3] }, { configFile: out }),
      'E_INVALID_ARGUMENT',
    );
  });

  it('HDF5 output is byte-deterministic: the same content written at different times is identical (issue 11 item 4)', async () => {
    const specs = [
      { path: '/exchange/tau', data: [1, 2, 4], shape: [1, 3] },
      { path: '/xpcs/analysis_type', data: 'Multitau' },
      { path: '/a/b/c', data: Int16Array.of(1, 2), attrs: { units: 'm', gain: 2.5 } },
    ];
    const a = path.join(dir, 'det-a.h5');
    const b = path.join(dir, 'det-b.h5');
    // A fixed clock per write, so the test does not depend on two writes landing in different seconds.
    const now = vi.spyOn(Date, 'now');
    try {
      now.mockReturnValue(Date.UTC(2024, 0, 1));
      await writeHdf5(a, specs, { rootAttrs: { version: '1' } });
      now.mockReturnValue(Date.UTC(2025, 5, 30, 12, 0, 7));
      await writeHdf5(b, specs, { rootAttrs: { version: '1' } });
      expect(fs.readFileSync(a).equals(fs.readFileSync(b))).toBe(true);
      const config = fixture('legacy.h5', 'make_legacy.py');
      const c = path.join(dir, 'det-c.h5');
      const d = path.join(dir, 'det-d.h5');
      now.mockReturnValue(Date.UTC(2024, 0, 1));
      await writeXpcsLegacyResults(c, { partitionMeanTotal: [1, 2], frameSum: [3, 4] }, { configFile: config });
      now.mockReturnValue(Date.UTC(2026, 2, 3));
      await writeXpcsLegacyResults(d, { partitionMeanTotal: [1, 2], frameSum: [3, 4] }, { configFile: config });
      expect(fs.readFileSync(c).equals(fs.readFileSync(d))).toBe(true);
    } finally {
      now.mockRestore();
    }
  });

  it('writeHdf5 keeps element types and shapes', async () => {
    const out = path.join(dir, 'types.h5');
    await writeHdf5(out, [
      { path: '/a/u16', data: Uint16Array.of(1, 2, 65535, 4), shape: [2, 2] },
      { path: '/a/i32', data: Int32Array.of(-1, 2, 3) },
      { path: '/a/f32', data: Float32Array.of(0.5, 1.5), shape: [1, 2] },
      { path: '/b/i8', data: [1, 2, 9007199254740991], dtype: 'i8' },
      { path: '/b/scalar', data: 3.25 },
      { path: '/b/str', data: 'Twotime' },
    ]);
    const ref = dump(out);
    expect(ref['/a/u16']).toEqual({ shape: [2, 2], dtype: '<u2', data: [1, 2, 65535, 4] });
    expect(ref['/a/i32']).toEqual({ shape: [3], dtype: '<i4', data: [-1, 2, 3] });
    expect(ref['/a/f32']).toEqual({ shape: [1, 2], dtype: '<f4', data: [0.5, 1.5] });
    expect(ref['/b/i8']).toEqual({ shape: [3], dtype: '<i8', data: [1, 2, 9007199254740991] });
    expect(ref['/b/scalar']).toEqual({ shape: [], dtype: '<f8', data: [3.25] });
    expect(ref['/b/str'].data).toBe('Twotime');
  });
});

describe('HDF5 corrupt input and failed writes', () => {
  it('a truncated file names the file and the byte offset', async () => {
    const file = fixture('legacy.h5', 'make_legacy.py');
    const cut = path.join(dir, 'cut.h5');
    const size = fs.statSync(file).size;
    fs.writeFileSync(cut, fs.readFileSync(file).subarray(0, size - 500));
    const ctx = await stagebookError(readXpcsLegacyConfig(cut), 'E_TRUNCATED');
    expect(ctx).toMatchObject({ file: cut, offset: size - 500, expected: size });
  });

  it('a missing dataset names the file and the dataset', async () => {
    const file = path.join(dir, 'no-sqmap.h5');
    await writeHdf5(file, [{ path: '/xpcs/dqmap', data: new Int32Array(4), shape: [2, 2] }]);
    const ctx = await stagebookError(readXpcsLegacyConfig(file), 'E_MISSING_DATASET');
    expect(ctx).toMatchObject({ file, dataset: '/xpcs/sqmap' });
  });

  it('a corrupt group is E_FORMAT naming the file and the HDF5 path, never a plain Error or "missing" (issue 22 item 12)', async () => {
    const file = fixture('legacy-results.h5', 'make_legacy.py', ['--results']);
    const bad = path.join(dir, 'corrupt-xpcs-group.h5');
    // Damage the symbol-table node of /xpcs only: h5py can still list the root, not /xpcs.
    const script = [
      'import sys, re, h5py',
      'src, dst = sys.argv[1], sys.argv[2]',
      'data = open(src, "rb").read()',
      'for m in re.finditer(b"SNOD", data):',
      '    b = bytearray(data); b[m.start():m.start() + 4] = b"XXXX"; open(dst, "wb").write(b)',
      '    try:',
      '        f = h5py.File(dst, "r"); root = list(f)',
      '    except Exception:',
      '        continue',
      '    try:',
      '        list(f["xpcs"]); f.close()',
      '    except Exception:',
      '        f.close(); print(m.start()); break',
    ].join('\n');
    const r = spawnSync('/usr/bin/python3', ['-c', script, file, bad], { encoding: 'utf8' });
    expect(r.stdout.trim(), r.stderr).toMatch(/^\d+$/);
    const failures: Array<[string, () => Promise<unknown>]> = [
      ['paths', () => withHdf5(bad, (h) => h.paths())],
      ['datasetPaths', () => withHdf5(bad, (h) => h.datasetPaths())],
      ['has', () => withHdf5(bad, (h) => h.has('/xpcs/dqmap'))],
      ['readXpcsLegacyResults', () => readXpcsLegacyResults(bad)],
      ['flattenXpcsMetadata', () => flattenXpcsMetadata(bad)],
      ['readXpcsLegacyConfig', () => readXpcsLegacyConfig(bad)],
      ['checkXpcsFile', () => checkXpcsFile(bad)],
    ];
    for (const [name, run] of failures) {
      const e = await run().then(
        () => null,
        (x) => x,
      );
      expect(isStagebookError(e, 'E_FORMAT'), `${name}: ${e}`).toBe(true);
      expect(e.context, name).toMatchObject({ file: bad });
      expect(String(e.context.hdf5Path), name).toMatch(/^\/xpcs/);
      expect(e.message, name).toContain(bad);
    }
    // The intact groups still read.
    expect(await withHdf5(bad, (h) => h.readNumeric('/exchange/tau').shape)).toEqual([1, expect.any(Number)]);
  });

  it('a non-HDF5 file is E_FORMAT at offset 0', async () => {
    const file = path.join(dir, 'text.h5');
    fs.writeFileSync(file, 'not hdf5 at all'.repeat(100));
    const ctx = await stagebookError(Hdf5Reader.open(file), 'E_FORMAT');
    expect(ctx).toMatchObject({ file, offset: 0 });
  });

  it('a write failing halfway leaves the previous file untouched and no temp file', async () => {
    const file = path.join(dir, 'keep.h5');
    await writeHdf5(file, [{ path: '/x', data: [1, 2, 3] }]);
    const before = fs.readFileSync(file);
    // '/x/y' needs /x to be a group, but /x is a dataset: HDF5 fails on the second dataset.
    const ctx = await stagebookError(
      writeHdf5(file, [
        { path: '/x', data: [9] },
        { path: '/x/y', data: [1] },
      ]),
      'E_WRITE_FAILED',
    );
    expect(ctx).toMatchObject({ dataset: '/x/y' });
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect(fs.readdirSync(dir).filter((n) => n.includes('keep.h5.tmp'))).toEqual([]);
  });

  it('shape mismatches are rejected before writing', async () => {
    const file = path.join(dir, 'bad-shape.h5');
    await stagebookError(writeHdf5(file, [{ path: '/x', data: [1, 2, 3], shape: [2, 2] }]), 'E_INVALID_ARGUMENT');
    await stagebookError(
      writeXpcsLegacyResults(file, { multiTau: { g2: [1, 2], stderr: [1, 2], tau: [1], nTau: 1, nQ: 3 } }),
      'E_INVALID_ARGUMENT',
    );
    expect(fs.existsSync(file)).toBe(false);
  });
});
