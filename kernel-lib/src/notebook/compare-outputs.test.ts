import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { compareOutputs, vegaLiteEssence, type CompareContext } from './compare-outputs';
import type { NotebookOutput } from './nbformat';
import { isVolatileProduct, matchesGlob, normaliseText, resolveReproPolicy } from './repro-policy';
import { parseTolerance } from './cli-repro';
import { readTarGz, writeTarGz } from './tar-gz';

const ctx = (rtol = 1e-9, paths: [string, string][] = []): CompareContext => ({
  policy: resolveReproPolicy({ rtol }),
  expectedPaths: paths,
  actualPaths: paths,
});
const stream = (text: string): NotebookOutput => ({ output_type: 'stream', name: 'stdout', text });
const display = (data: Record<string, unknown>): NotebookOutput => ({
  output_type: 'display_data',
  data,
  metadata: {},
});

describe('compareOutputs', () => {
  it('normalises timestamps, run ids, durations and loopback ports, and nothing else', () => {
    const a = stream(
      'run run-lx2k3j-ab12 at 2026-12-07T13:58:24.123Z took 4.1 s (120 ms) on http://127.0.0.1:40123/x\n',
    );
    const b = stream('run run-m0abcd-zz99 at 2026-12-08T01:02:03.000Z took 9.9 s (87 ms) on http://127.0.0.1:5555/x\n');
    expect(compareOutputs([a], [b], ctx()).agreement).toBe('same');
    // ledger run ids (newRunId) in a table
    const t1 = stream('20261207T141935-443931  partial   26\n');
    const t2 = stream('20261207T142034-b89c2d  partial   26\n');
    expect(compareOutputs([t1], [t2], ctx()).agreement).toBe('same');
    // a decay time printed in seconds is a result, not a duration
    const r = compareOutputs([stream('tau 12.5 s\n')], [stream('tau 12.7 s\n')], ctx());
    expect(r.agreement).toBe('differs');
    expect(r.differences[0].where).toContain('12.5 -> 12.7');
  });

  it('compares numbers within rtol (close) and beyond it (differs), text exactly', () => {
    expect(compareOutputs([stream('x = 1.0000000000001\n')], [stream('x = 1.0000000000002\n')], ctx()).agreement).toBe(
      'close',
    );
    const far = compareOutputs([stream('a\nx = 1.5\n')], [stream('a\nx = 1.6\n')], ctx());
    expect(far.agreement).toBe('differs');
    expect(far.differences[0]).toMatchObject({ expected: 'x = 1.5', actual: 'x = 1.6' });
    expect(far.differences[0].relDiff).toBeCloseTo(0.1 / 1.6, 12);
    expect(compareOutputs([stream('x = 1.5\n')], [stream('x = 1.6\n')], ctx(0.1)).agreement).toBe('close');
    expect(compareOutputs([stream('ok\n')], [stream('OK\n')], ctx()).agreement).toBe('differs');
    expect(compareOutputs([stream('NaN\n')], [stream('1\n')], ctx(1)).agreement).toBe('differs');
  });

  it('replaces output directories on each side by <outDir>', () => {
    const c: CompareContext = {
      ...ctx(),
      expectedPaths: [['/a/out', '<outDir>']],
      actualPaths: [['/b/other', '<outDir>']],
    };
    expect(compareOutputs([stream('-> /a/out/peaks.json\n')], [stream('-> /b/other/peaks.json\n')], c).agreement).toBe(
      'same',
    );
  });

  it('compares Vega-Lite plots by data and encoding, not by their SVG/PNG twins or titles', () => {
    const spec = (y: number, title: string) => ({
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title,
      width: 300,
      data: { values: [{ x: 1, y }] },
      mark: 'point',
      encoding: { x: { field: 'x', type: 'quantitative', title: 'X' }, y: { field: 'y', type: 'quantitative' } },
    });
    const v6 = 'application/vnd.vegalite.v6+json';
    const a = display({ [v6]: spec(2, 'run at 10:00'), 'image/png': 'AAAA', 'image/svg+xml': '<svg>a</svg>' });
    const b = display({ [v6]: spec(2, 'another title'), 'image/png': 'BBBB', 'image/svg+xml': '<svg>b</svg>' });
    expect(compareOutputs([a], [b], ctx()).agreement).toBe('same');
    const c = display({ [v6]: spec(3, 'x'), 'image/png': 'AAAA' });
    const r = compareOutputs([a], [c], ctx());
    expect(r.agreement).toBe('differs');
    expect(r.differences[0].where).toBe('output 1 (vega-lite).data.values[0].y');
    expect(vegaLiteEssence(spec(2, 't'))).not.toHaveProperty('title');
  });

  it('compares progress by stage names and states (times and run ids are volatile)', () => {
    const mime = 'application/vnd.stagebook.progress.v1+json';
    const p = (runId: string, state: string, ms: number) =>
      display({ [mime]: { version: 1, runId, state: 'done', stages: [{ name: 'corr', state, durationMs: ms }] } });
    expect(compareOutputs([p('r1', 'succeeded', 10)], [p('r2', 'succeeded', 99)], ctx()).agreement).toBe('same');
    expect(compareOutputs([p('r1', 'succeeded', 10)], [p('r2', 'cached', 10)], ctx()).agreement).toBe('differs');
  });

  it('reports a different number of outputs', () => {
    const r = compareOutputs([stream('a\n')], [stream('a\n'), display({ 'text/plain': 'b' })], ctx());
    expect(r.agreement).toBe('differs');
    expect(r.differences[0].where).toBe('outputs');
  });
});

describe('repro policy', () => {
  it('blanks timing columns of text tables, not result columns', () => {
    const table = (d: string, tau: string) =>
      `step       status     duration (s)  tau (s)\n---------  ---------  ------------  -------\nTransfer1  succeeded  ${d.padEnd(12)}  ${tau}\n[1 rows]`;
    expect(compareOutputs([stream(table('0.20', '1.5'))], [stream(table('0.08', '1.5'))], ctx()).agreement).toBe(
      'same',
    );
    expect(compareOutputs([stream(table('0.20', '1.5'))], [stream(table('0.20', '1.6'))], ctx()).agreement).toBe(
      'differs',
    );
  });

  it('compares tables cell by cell, so a wider volatile value does not shift the whole table', () => {
    const t = (id: string, clean: string) =>
      `${'run'.padEnd(id.length)}  clean_s  peaks\n${'-'.repeat(id.length)}  -------  -----\n${id}  ${clean.padStart(7)}  ${'12'.padStart(5)}\n`;
    const a = t('20261207T141935-443931', '0.0167');
    const b = t('20261207T141935-443931 (resumed)', '0.01674');
    const r = compareOutputs([stream(a)], [stream(b)], ctx());
    expect(r.differences[0].expected).toBe('<run-id> | <duration> | 12');
    expect(r.differences[0].actual).toBe('<run-id> (resumed) | <duration> | 12');
    expect(compareOutputs([stream(a)], [stream(t('20261208T000000-abcdef', '9.1'))], ctx()).agreement).toBe('same');
  });

  it('leaves download-cache entries out of the products (named by URL)', () => {
    const p = resolveReproPolicy();
    expect(isVolatileProduct(`alexis_data/xrs_data/data/cd/${'c'.repeat(64)}`, p)).toBe(true);
    expect(isVolatileProduct(`x/done/cd/${'c'.repeat(64)}.json`, p)).toBe(true);
    expect(isVolatileProduct('x/data/cd/results.json', p)).toBe(false);
    expect(isVolatileProduct('ws/incoming/.tm.xml.8qm7vg', p)).toBe(true); // an in-flight temporary
    expect(isVolatileProduct('ws/incoming/tm.xml', p)).toBe(false);
  });

  it('refuses an unknown or ill-typed field by name', () => {
    expect(() => resolveReproPolicy({ rtol: -1 })).toThrow(/rtol/);
    expect(() => resolveReproPolicy({ rtoll: 1 } as never)).toThrow(/E?rtoll|unrecognized/i);
  });

  it('matches product globs by path segment', () => {
    const g = resolveReproPolicy().volatileProducts;
    expect(matchesGlob('.stagebook/ledger.db', g)).toBe(true);
    expect(matchesGlob('logs/xpcs-corr/a.log', g)).toBe(true);
    expect(matchesGlob('L1/a_results.hdf', g)).toBe(false);
    expect(matchesGlob('summary.json', g)).toBe(false);
  });

  it('normalises only the declared patterns', () => {
    expect(normaliseText('at 2026-01-02T03:04:05Z, 12 ms, value 12', resolveReproPolicy())).toBe(
      'at <timestamp>, <duration>, value 12',
    );
  });
});

describe('--tolerance', () => {
  it('parses rtol and atol and refuses anything else by name', () => {
    expect(parseTolerance('rtol=1e-6,atol=1e-12')).toEqual({ rtol: 1e-6, atol: 1e-12 });
    expect(parseTolerance('1e-3')).toEqual({ rtol: 1e-3 });
    expect(() => parseTolerance('rtol=-1')).toThrow(/--tolerance rtol=-1/);
    expect(() => parseTolerance('eps=1')).toThrow(/expected rtol=NUMBER/);
  });
});

describe('tar.gz bundles', () => {
  it('round-trips files, is deterministic, and refuses unsafe names', () => {
    const entries = [
      { name: 'a.json', data: Buffer.from('{}') },
      { name: `inputs/image/${'x'.repeat(90)}.fits`, data: Buffer.alloc(1000, 7) },
    ];
    const one = writeTarGz(entries);
    expect(writeTarGz(entries).equals(one)).toBe(true);
    const back = readTarGz(one, 'b.tar.gz');
    expect(back.map((e) => e.name)).toEqual(entries.map((e) => e.name));
    expect(back[1].data.equals(entries[1].data)).toBe(true);
    // Python's tarfile (the reference reader) lists the same members with the same sizes
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-tar-'));
    writeFileSync(path.join(dir, 'b.tar.gz'), one);
    const py = spawnSync(
      '/usr/bin/python3',
      [
        '-c',
        'import sys,tarfile\nfor m in tarfile.open(sys.argv[1]).getmembers(): print(m.name, m.size)',
        path.join(dir, 'b.tar.gz'),
      ],
      { encoding: 'utf8' },
    );
    rmSync(dir, { recursive: true, force: true });
    expect(py.stdout.trim().split('\n')).toEqual(entries.map((e) => `${e.name} ${e.data.length}`));
    expect(gunzipSync(one).subarray(257, 262).toString()).toBe('ustar');
    expect(() => readTarGz(writeTarGz([{ name: '../evil', data: Buffer.from('x') }]), 'e.tar.gz')).toThrow(
      /unsafe name/,
    );
    expect(() => readTarGz(Buffer.from('not gzip'), 'n.tar.gz')).toThrow(/not gzip/);
  });
});
