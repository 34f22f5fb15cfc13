/**
 * `stagebook xpcs corr` as a real child process on generated files: results written into the
 * configuration file in place (config kept), exit codes, an untouched file when refused, and the
 * run recorded in the engine ledger (`stagebook status` lists it, succeeded or failed).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { withHdf5, writeHdf5, type Hdf5DatasetSpec } from '../kernel-lib/src/formats/hdf5';
import { writeImm } from '../kernel-lib/src/formats/imm';
import { readXpcsLegacyResults, writeXpcsLegacyConfig } from '../kernel-lib/src/formats/xpcs';
import { simulateSpeckleSeries } from '../kernel-lib/src/simulate';

const CLI = join(__dirname, '..', 'kernel-lib', 'dist', 'cli', 'main.js');
let dir = '';
let base = '';

function run(...args: string[]) {
  return spawnSync(process.execPath, [CLI, 'xpcs', 'corr', ...args], { encoding: 'utf8' });
}

interface StatusRow {
  id: string;
  pipeline: string;
  status: string;
  stages: Record<string, Record<string, number>>;
  failures: Array<{ stage: string; unit: string; error: string }>;
}

function status(config: string): StatusRow[] {
  const r = spawnSync(process.execPath, [CLI, 'status', '--config', config, '--json'], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as StatusRow[];
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'xpcs-cli-'));
  const sim = simulateSpeckleSeries({
    frames: 120,
    height: 16,
    width: 16,
    rings: 2,
    tau0: 8,
    meanCounts: 3,
    modes: 2,
    seed: 4,
  });
  await writeImm(join(dir, 'data.imm'), sim.frames, { compression: 'sparse' });
  base = join(dir, 'base.hdf');
  await writeXpcsLegacyConfig(base, {
    dqmap: Int32Array.from(sim.dqmap),
    sqmap: Int32Array.from(sim.sqmap),
    shape: [16, 16],
    delaysPerLevel: 4,
    dataBegin: 1,
    dataEnd: 120,
    inputFileLocal: 'data.imm',
  });
});

describe('stagebook xpcs corr', () => {
  it('writes the results into the HDF5 file in place and keeps the configuration', async () => {
    const hdf = join(dir, 'inplace.hdf');
    copyFileSync(base, hdf);
    const r = run(hdf, '--g2out', '--quiet');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const ex = await readXpcsLegacyResults(hdf);
    expect(Object.keys(ex)).toEqual(
      expect.arrayContaining(['norm-0-g2', 'tau', 'pixelSum', 'frameSum', 'G2', 'IP', 'IF']),
    );
    expect(await withHdf5(hdf, (f) => f.has('/xpcs/dqmap') && f.has('/measurement/instrument/detector/distance'))).toBe(
      true,
    );
  });

  it('refuses an unsupported setting with exit 3, leaving the file byte for byte as it was', async () => {
    const hdf = join(dir, 'refused.hdf');
    const specs = await withHdf5(base, (f) =>
      f
        .datasetPaths()
        .map((p) => ({ path: p, data: f.read(p).value as Hdf5DatasetSpec['data'], shape: f.read(p).shape })),
    );
    await writeHdf5(hdf, [...specs, { path: '/xpcs/blemish_enabled', data: 'ENABLED' }]);
    const before = readFileSync(hdf);
    const r = run(hdf, '--quiet');
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/E_CONFIG_UNSUPPORTED: \/xpcs\/blemish_enabled = "ENABLED"/);
    expect(readFileSync(hdf).equals(before)).toBe(true);
  });

  it('usage errors exit 2 (refused corr flags, two frame files); a missing frame file exits 6 (not found)', () => {
    expect(run(base, '--frame_threading').status).toBe(2);
    expect(run(base, '--imm', 'a.imm', '--rigaku', 'b.bin').status).toBe(2);
    const r = run(base, '--imm', join(dir, 'missing.imm'));
    expect(r.status).toBe(6);
    expect(r.stderr).toMatch(/missing\.imm/);
  });

  it('--stream --threads N: the same bits as in memory for 1 and 3 threads; --threads needs --stream and N >= 1', async () => {
    const out = (name: string) => join(dir, `threads-${name}.hdf`);
    expect(run(base, '--quiet', '--output', out('mem')).status).toBe(0);
    for (const n of ['1', '3']) {
      const r = run(base, '--quiet', '--stream', '--threads', n, '--output', out(n));
      expect(r.status, r.stderr).toBe(0);
    }
    const mem = await readXpcsLegacyResults(out('mem'));
    for (const n of ['1', '3']) {
      const got = await readXpcsLegacyResults(out(n));
      expect(Object.keys(got).sort(), n).toEqual(Object.keys(mem).sort());
      for (const k of Object.keys(mem)) expect(Array.from(got[k].data), `${n} ${k}`).toEqual(Array.from(mem[k].data));
    }
    expect(run(base, '--quiet', '--threads', '2').status).toBe(2);
    const zero = run(base, '--quiet', '--stream', '--threads', '0');
    expect(zero.status).toBe(2);
    expect(zero.stderr).toMatch(/--threads/);
  });

  it('records each run in the workspace ledger: stagebook status shows it succeeded, or failed with the error', () => {
    const ws = mkdtempSync(join(tmpdir(), 'xpcs-cli-ws-'));
    const config = join(ws, 'stagebook.yaml');
    writeFileSync(config, 'root: .\n');
    const hdf = join(dir, 'ledger.hdf');
    copyFileSync(base, hdf);
    const ok = run(hdf, '--config', config, '--stream');
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stderr).toMatch(/recorded in .*ledger\.db/);
    const bad = run(hdf, '--config', config, '--imm', join(dir, 'missing.imm'), '--quiet');
    expect(bad.status).toBe(6);
    const runs = status(config);
    expect(runs.map((r) => [r.pipeline, r.status])).toEqual([
      ['xpcs-corr', 'failed'],
      ['xpcs-corr', 'succeeded'],
    ]);
    expect(runs[1].stages.corr).toEqual({ succeeded: 1 });
    expect(runs[0].failures[0].error).toMatch(/missing\.imm/);
  });

  it('without a workspace config, records the run in the ledger beside the HDF5 file', () => {
    const sub = mkdtempSync(join(dir, 'alone-'));
    const hdf = join(sub, 'alone.hdf');
    copyFileSync(base, hdf);
    copyFileSync(join(dir, 'data.imm'), join(sub, 'data.imm'));
    const r = run(hdf, '--quiet');
    expect(r.status, r.stderr).toBe(0);
    writeFileSync(join(sub, 'stagebook.yaml'), 'root: .\n');
    expect(status(join(sub, 'stagebook.yaml')).map((x) => [x.pipeline, x.status])).toEqual([
      ['xpcs-corr', 'succeeded'],
    ]);
  });
});
