/**
 * `stagebook run alexis --config alexis.yaml` over the three stages on the simulated Sun (the
 * local archive on a fixed loopback port inside each stage): exit codes, the products, a second
 * run served from the engine's cache, level selection, and a refused config naming the field.
 * Runs the built CLI (kernel-lib/dist).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './support/engine-fixtures';

const dir = mkdtempSync(join(tmpdir(), 'sb-alexis-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function config(port: number, extra = ''): string {
  return `root: .
inputs: { dir: ., pattern: alexis.yaml }
options:
  localArchive: { port: ${port}, aiaScale: 64, aiaCadenceSeconds: 120 }
  policy: { retry: { baseDelayMs: 5, maxDelayMs: 20 } }
${extra}stages:
  onboard: { start: '2011-02-08T20:00:00Z', end: '2011-02-08T22:00:00Z', sxiSatellites: [15], sources: [aia, sxi, goes, hek] }
  download: { flares: [{ class: 'C4', time: '2011-02-08 21:11:00.08' }], aiaMinutes: 4, sxiMinutes: 4 }
  initialize: { concurrency: 2 }
`;
}

describe('stagebook run alexis', () => {
  it('runs onboard -> download -> initialize, then serves a rerun from the cache', async () => {
    writeFileSync(join(dir, 'alexis.yaml'), config(await freePort()));
    const first = cli(['run', 'alexis', '--config', 'alexis.yaml', '--out-file', 'run1.json'], dir);
    expect(first.stderr + first.stdout).not.toMatch(/FAILED/);
    expect(first.code).toBe(0);
    const init = JSON.parse(readFileSync(join(dir, 'data_products', 'initialize.json'), 'utf8'));
    expect(init.processed).toBeGreaterThan(20);
    const dl = JSON.parse(readFileSync(join(dir, 'data_products', 'download.json'), 'utf8'));
    expect(dl.flares[0].workingDir).toMatch(/flarecandidate_C4\.0_at_2011-02-08T21_11_00_08\.working$/);
    const second = cli(['run', 'alexis', '--config', 'alexis.yaml', '--out-file', 'run2.json'], dir);
    expect(second.code).toBe(0);
    const r2 = JSON.parse(readFileSync(join(dir, 'run2.json'), 'utf8'));
    // onboard, download, initialize and init-files (stage 3: no channel passes 125 images here, so stage 4 has no units)
    expect(r2.counts.cached).toBe(4);
    const only = cli(
      [
        'run',
        'alexis',
        '--config',
        'alexis.yaml',
        '--start-level',
        'L2',
        '--end-level',
        'L2',
        '--force',
        '--out-file',
        'run3.json',
      ],
      dir,
    );
    expect(only.code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'data_products', 'initialize.json'), 'utf8')).processed).toBe(0);
  }, 300_000);

  it('refuses a config with both archives and localArchive (exit 3, naming options)', () => {
    writeFileSync(
      join(dir, 'bad.yaml'),
      config(8000, '').replace(
        'options:\n',
        'options:\n  archives: { jsoc: "http://127.0.0.1:1/jsoc", sxi: "http://127.0.0.1:1/s", xrs: "http://127.0.0.1:1/x", hek: "http://127.0.0.1:1/h" }\n',
      ),
    );
    const r = cli(['run', 'alexis', '--config', 'bad.yaml'], dir);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/bad\.yaml:\d+:\d+.*options.*give exactly one of archives or localArchive/);
  });
});
