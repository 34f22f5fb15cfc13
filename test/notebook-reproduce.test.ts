/**
 * `stagebook notebook reproduce | diff | pack | unpack` on a real demo notebook (alexis-peak-finder: a FITS
 * input, tables, a Vega-Lite plot, a JSON product) driven through the real tslab kernel. Needs
 * `npx tsc -p kernel-lib/tsconfig.build.json` first (the kernel imports stagebook from kernel-lib/dist).
 * The whole demo set reproduces in `node scripts/reproduce-demos.js` (too slow for every test run).
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { packNotebook, unpackBundle } from '../kernel-lib/src/notebook/bundle';
import { notebookCommand } from '../kernel-lib/src/notebook/cli';
import { diffHtml, diffNotebooks, diffText } from '../kernel-lib/src/notebook/notebook-diff';
import { reproduceNotebook } from '../kernel-lib/src/notebook/reproduce';
import { runNotebook } from '../kernel-lib/src/notebook/runner';
import { KernelClient } from '../kernel-lib/src/notebook/client';
import { launchKernel } from '../kernel-lib/src/notebook/launcher';
import { reproduceCode, RESULT_MARKER } from '../jupyter-extension/src/record/kernel-reproduce';
import { parseOutcome } from '../jupyter-extension/src/record/record';

const repo = path.resolve(__dirname, '..');
const NB = path.join(repo, 'notebooks', 'alexis-peak-finder.ipynb');
const FITS = path.join(repo, 'notebooks', 'data', 'aia_171_sample_512.fits');
// under the repository: the kernel must resolve `stagebook` and `tslab` from an unpacked bundle's directory
mkdirSync(path.join(repo, 'out'), { recursive: true });
const tmp = mkdtempSync(path.join(repo, 'out', 'sb-repro-test-'));
const record = path.join(tmp, 'record.ipynb');
const load = (file: string): any => JSON.parse(readFileSync(file, 'utf8'));
const save = (file: string, nb: unknown): void => writeFileSync(file, JSON.stringify(nb, null, 1));
const notes = (file: string): string[] =>
  load(file)
    .cells.filter((c: any) => (c.metadata.tags ?? []).includes('stagebook-reproduce-report'))
    .map((c: any) => (Array.isArray(c.source) ? c.source.join('') : c.source));

/** Runs notebookCommand in-process, capturing what it prints. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s: any) => ((stdout += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s: any) => ((stderr += String(s)), true));
  try {
    return { code: await notebookCommand(args), stdout, stderr };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

/** A copy of the record with `edit` applied. */
function variant(name: string, edit: (nb: any) => void): string {
  const nb = load(record);
  edit(nb);
  const file = path.join(tmp, name);
  save(file, nb);
  return file;
}

beforeAll(async () => {
  // the input is a copy, so a test can change it without touching the repository's sample
  mkdirSync(path.join(tmp, 'data'));
  copyFileSync(FITS, path.join(tmp, 'data', 'input.fits'));
  const r = await runNotebook({
    input: NB,
    output: record,
    parameters: { image: path.join(tmp, 'data', 'input.fits'), outDir: path.join(tmp, 'products') },
  });
  expect(r.status).toBe('succeeded');
}, 240_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('run record', () => {
  it('records input files, products, the WASM core hash and the code hash', () => {
    const rec = load(record).metadata.stagebook;
    expect(rec.input_files.image).toMatchObject({ path: path.join(tmp, 'data', 'input.fits'), size: 1054080 });
    expect(rec.input_files.image.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.keys(rec.products.outDir)).toEqual(['peaks.json']);
    expect(rec.versions.wasm_core).toMatch(/^[0-9a-f]{64}$/);
    expect(rec.input_hashes.code).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('stagebook notebook reproduce', () => {
  it('reproduces its own record (exit 0, verdict reproduced, report written)', async () => {
    const r = await cli(['reproduce', record, '-o', path.join(tmp, 'same.ipynb')]);
    expect(r.stdout).toMatch(/^reproduced \(5 cells, 1 products; rtol 1e-9\)/m);
    expect(r.code).toBe(0);
    const report = load(path.join(tmp, 'same.ipynb'));
    expect(report.metadata.stagebook_reproduce.verdict).toBe('reproduced');
    expect(notes(path.join(tmp, 'same.ipynb'))).toHaveLength(1); // the verdict cell only
    expect(existsSync(path.join(tmp, 'same.products', 'peaks.json'))).toBe(true);
  }, 240_000);

  it('refuses a changed input before running, naming the file and both hashes (exit 13)', async () => {
    const input = path.join(tmp, 'data', 'input.fits');
    const original = readFileSync(input);
    const changed = Buffer.from(original);
    changed[changed.length - 1] ^= 1;
    writeFileSync(input, changed);
    try {
      const r = await cli(['reproduce', record, '-o', path.join(tmp, 'never.ipynb')]);
      expect(r.code).toBe(13);
      const recorded = load(record).metadata.stagebook.input_files.image.sha256;
      expect(r.stderr).toContain(`E_REPRO_INPUT`);
      expect(r.stderr).toContain(`image: ${input}: sha256 recorded ${recorded}, current `);
      expect(existsSync(path.join(tmp, 'never.ipynb'))).toBe(false);
    } finally {
      writeFileSync(input, original);
    }
  });

  it('refuses a missing input, naming the parameter, the place looked at and the recorded hash (exit 13)', async () => {
    const moved = variant(
      'moved-input.ipynb',
      (nb) => (nb.metadata.stagebook.input_files.image.path = 'nowhere/input.fits'),
    );
    const r = await cli(['reproduce', moved, '-o', path.join(tmp, 'never3.ipynb')]);
    expect(r.code).toBe(13);
    const sha = load(record).metadata.stagebook.input_files.image.sha256;
    expect(r.stderr).toMatch(
      new RegExp(`image: nowhere/input\\.fits: missing \\(looked at .*nowhere/input\\.fits\\); recorded sha256 ${sha}`),
    );
  });

  it('refuses a record made with another library version (exit 12) unless --allow-version', async () => {
    const other = variant('other-version.ipynb', (nb) => (nb.metadata.stagebook.versions.stagebook = '0.0.9'));
    const r = await cli(['reproduce', other, '-o', path.join(tmp, 'never2.ipynb')]);
    expect(r.code).toBe(12);
    expect(r.stderr).toMatch(/E_REPRO_VERSION: .*stagebook recorded 0\.0\.9, current 0\.1\.0/);
  });

  it('finds a perturbed number at its cell (with --allow-version: the version mismatch is reported)', async () => {
    const perturbed = variant('perturbed.ipynb', (nb) => {
      nb.metadata.stagebook.versions.stagebook = '0.0.9';
      const cells = nb.cells.filter(
        (c: any) => c.cell_type === 'code' && !(c.metadata.tags ?? []).includes('injected-parameters'),
      );
      // work cell 3 is the cluster table: change one peak_dn in its text twin
      const out = cells[2].outputs.find((o: any) => o.data?.['text/plain']);
      const text = [out.data['text/plain']].flat().join('');
      const m = /\b(\d+\.\d+)\b/.exec(text.split('\n').slice(3).join('\n')) as RegExpExecArray;
      out.data['text/plain'] = text.replace(m[1], (Number(m[1]) + 0.1).toFixed(m[1].split('.')[1].length));
    });
    const report = path.join(tmp, 'perturbed.reproduce.ipynb');
    const r = await reproduceNotebook({ record: perturbed, output: report, allowVersion: true });
    expect(r.verdict).toBe('differs');
    expect(r.exitCode).toBe(11);
    expect(r.cells.filter((c) => c.agreement !== 'same').map((c) => c.ordinal)).toEqual([3]);
    expect(r.cells[2].differences[0].where).toMatch(/^output 1 \(text\/plain\), number \d+/);
    expect(r.versions.find((v) => v.name === 'stagebook')).toMatchObject({ recorded: '0.0.9', current: '0.1.0' });
    // the note sits right under the cell that produced the difference
    const nb = load(report);
    const at = nb.cells.findIndex((c: any) => c.id === r.cells[2].id);
    expect(nb.cells[at + 1].metadata.tags ?? []).toContain('stagebook-reproduce-report');
    expect(nb.cells[at + 1].source.join('')).toContain('Differs from the record');
  }, 240_000);

  it('reports a changed parameter and the cells it changed', async () => {
    const r = await reproduceNotebook({
      record,
      output: path.join(tmp, 'param.ipynb'),
      parameterArgs: ['thresholdRel=0.5'],
    });
    expect(r.verdict).toBe('differs');
    expect(r.parameters).toEqual([{ where: 'parameter thresholdRel', expected: '0.9', actual: '0.5' }]);
    const differing = r.cells.filter((c) => c.agreement === 'differs').map((c) => c.ordinal);
    expect(differing[0]).toBe(3); // the header table (cell 2) does not depend on the threshold
    expect(differing).not.toContain(2);
    expect(r.products.find((p) => p.file === 'peaks.json')?.agreement).toBe('differs');

    // diff between the two records: the parameter and the same cells, in text and HTML
    const d = diffNotebooks(record, path.join(tmp, 'param.ipynb'));
    expect(d.identical).toBe(false);
    expect(d.parameters.find((p) => p.name === 'thresholdRel')).toMatchObject({ a: '0.9', b: '0.5', same: false });
    expect(d.parameters.find((p) => p.name === 'outDir')).toMatchObject({ same: false, location: true });
    expect(d.cells.filter((c) => c.agreement === 'differs').map((c) => c.ordinal)).toEqual(differing);
    expect(diffText(d)).toMatch(/^! thresholdRel\s+0\.9\s+0\.5/m);
    expect(diffHtml(d)).toContain('<tr class="diff"><td>thresholdRel</td><td>0.9</td><td>0.5</td></tr>');
    const same = await cli(['diff', record, path.join(tmp, 'same.ipynb'), '--html', path.join(tmp, 'd.html')]);
    expect(same.stdout).toContain('no differences');
    expect(same.code).toBe(0);
    expect(readFileSync(path.join(tmp, 'd.html'), 'utf8')).toContain('No differences');
  }, 240_000);
});

describe('the JupyterLab Reproduce button', () => {
  it('its cell runs the reproduction in a real tslab kernel and returns the verdict the panel reads', async () => {
    // the extension sends exactly this code to the notebook's kernel (cwd = the notebook's directory)
    const kernel = await launchKernel({ cwd: tmp });
    const client = KernelClient.connect(kernel.connection, kernel.exited);
    try {
      await client.waitReady(110_000);
      let stdout = '';
      const r = await client.execute(reproduceCode('record.ipynb'), {
        onIopub: (m) => {
          const c = m.content as { name?: string; text?: string };
          if (m.header.msg_type === 'stream' && c.name === 'stdout') stdout += c.text ?? '';
        },
      });
      expect(r.status).toBe('ok');
      const line = stdout.split('\n').find((l) => l.startsWith(RESULT_MARKER)) as string;
      const outcome = parseOutcome(JSON.parse(line.slice(RESULT_MARKER.length)));
      expect(outcome).toMatchObject({ verdict: { verdict: 'reproduced', cells: [], products: [] } });
      expect(existsSync(path.join(tmp, 'record.reproduce.ipynb'))).toBe(true);
    } finally {
      client.close();
      await kernel.kill();
    }
  }, 240_000);
});

describe('pack and unpack', () => {
  let server: Server;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/aia.fits') res.end(readFileSync(path.join(tmp, 'data', 'input.fits')));
      else if (req.url === '/wrong.fits') res.end(Buffer.alloc(1054080, 1));
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  const url = (p: string): string => `http://127.0.0.1:${(server.address() as AddressInfo).port}${p}`;

  it('a bundle unpacked in another directory reproduces there, the input inline', async () => {
    const bundle = path.join(tmp, 'bundle.tar.gz');
    const packed = await packNotebook({ record, output: bundle });
    expect(packed.inlined).toEqual(['image']);
    expect(packed.files).toEqual(
      expect.arrayContaining([
        'stagebook-bundle.json',
        'record.ipynb',
        'README.md',
        'package-lock.json',
        'inputs/image/input.fits',
      ]),
    );
    const again = path.join(tmp, 'bundle2.tar.gz');
    await packNotebook({ record, output: again });
    expect(readFileSync(again).equals(readFileSync(bundle))).toBe(true); // deterministic bytes

    const u = await cli(['unpack', bundle, '-o', path.join(tmp, 'elsewhere')]);
    expect(u.code).toBe(0);
    // the original input is gone: only the bundle's copy can satisfy the record
    const input = path.join(tmp, 'data', 'input.fits');
    const bytes = readFileSync(input);
    rmSync(input);
    try {
      const r = await cli([
        'reproduce',
        path.join(tmp, 'elsewhere', 'record.ipynb'),
        '--inputs',
        path.join(tmp, 'elsewhere', 'inputs'),
      ]);
      expect(r.stdout).toMatch(/^reproduced /m);
      expect(r.code).toBe(0);
      const rep = load(path.join(tmp, 'elsewhere', 'record.reproduce.ipynb')).metadata.stagebook_reproduce;
      expect(rep.inputs).toEqual([expect.objectContaining({ name: 'image', source: 'inputs dir' })]);
    } finally {
      writeFileSync(input, bytes);
    }
  }, 240_000);

  it('an input packed by URL is fetched through the downloader and its hash verified', async () => {
    const bundle = path.join(tmp, 'remote.tar.gz');
    const wrong = path.join(tmp, 'wrong.tar.gz');
    const tooBig = await cli(['pack', record, '-o', bundle, '--max-inline-bytes', '1000']);
    expect(tooBig.code).toBe(2);
    expect(tooBig.stderr).toContain('give --url image=URL');
    const p = await packNotebook({ record, output: bundle, maxInlineBytes: 1000, urls: { image: url('/aia.fits') } });
    expect(p.remote).toEqual(['image']);
    expect(p.files.some((f) => f.startsWith('inputs/'))).toBe(false);
    await packNotebook({ record, output: wrong, maxInlineBytes: 1000, urls: { image: url('/wrong.fits') } });
    await unpackBundle(wrong, path.join(tmp, 'w'));
    // the recorded place must not satisfy it: reproduce from a directory where the recorded path is absent
    const nbW = path.join(tmp, 'w', 'record.ipynb');
    const rec = load(nbW);
    rec.metadata.stagebook.input_files.image.path = 'moved/input.fits';
    save(nbW, rec);
    await expect(
      reproduceNotebook({ record: nbW, inputsDir: path.join(tmp, 'w', 'inputs'), cwd: path.join(tmp, 'w') }),
    ).rejects.toMatchObject({
      code: 'E_REPRO_INPUT',
      message: expect.stringContaining('image: ' + url('/wrong.fits')),
    });

    await unpackBundle(bundle, path.join(tmp, 'r'));
    const nbR = path.join(tmp, 'r', 'record.ipynb');
    const recR = load(nbR);
    recR.metadata.stagebook.input_files.image.path = 'moved/input.fits';
    save(nbR, recR);
    // the parameter value printed in a caption is the recorded path on one side, the download on the other:
    // both normalise to <input:image>
    const r = await reproduceNotebook({ record: nbR, inputsDir: path.join(tmp, 'r', 'inputs') });
    expect(r.inputs[0]).toMatchObject({ name: 'image', source: 'downloaded' });
    expect(r.verdict).toBe('reproduced');
  }, 240_000);

  it('refuses a bundle with an unsafe member name', async () => {
    const { writeTarGz } = await import('../kernel-lib/src/notebook/tar-gz');
    writeFileSync(path.join(tmp, 'evil.tar.gz'), writeTarGz([{ name: 'a/../../x', data: Buffer.from('x') }]));
    const r = await cli(['unpack', path.join(tmp, 'evil.tar.gz'), '-o', path.join(tmp, 'evil')]);
    expect(r.code).toBe(7);
    expect(r.stderr).toContain('E_PACK_FORMAT');
    expect(existsSync(path.join(tmp, 'x'))).toBe(false);
  });
});
