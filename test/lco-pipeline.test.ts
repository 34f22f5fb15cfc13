// The LCO data-management pipeline end to end against the local archive.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFits } from '../kernel-lib/src/formats/fits';
import { HOSTILE_FILE_NAMES, startLocalArchive, type LocalArchive } from '../kernel-lib/src/local-archive';
import { lcoFrames, lcoFramesPerTargetNight, runLcoDataManagement } from '../kernel-lib/src/pipelines/lco';

const TOKEN = 'lco-secret-9d8c7b6a5f4e3d2c1b0a99887766';
const ENV = 'SB_LCO_PIPELINE_TEST_TOKEN';
let archive: LocalArchive;
let ws: string;
let cfg: string;

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)],
  );
}

beforeAll(async () => {
  process.env[ENV] = TOKEN;
  archive = await startLocalArchive({
    token: TOKEN,
    hostileNames: true,
    synthetic: { nights: 3, framesPerNight: 4 },
    faults: [
      { kind: '500', probability: 0.2 },
      { kind: 'truncate', probability: 0.2 },
    ],
  });
  ws = mkdtempSync(path.join(os.tmpdir(), 'sb-lco-'));
  cfg = path.join(ws, 'data_download.yaml');
  writeFileSync(
    cfg,
    `archives:
  lco:
    name: 'LCO'
    active: True
    url: '${archive.url}'
    token_envvar: '${ENV}'
    proposals:
      - 'KEY2025-004'
      - 'LCO2025A-012'
    reduction_level:
      image: 91
      spectrum: 91
  other:
    name: 'Other'
    active: False
    url: 'https://example.invalid/'
    token_envvar: 'UNSET_TOKEN_VAR'
    proposals: ['X']
    reduction_level: {image: 91, spectrum: 91}
log_dir: 'logs'
data_download_dir: 'incoming'
data_reduction_dir: 'reduction'
start_datetime: '2025-06-10 00:00'
end_datetime: '2025-06-12 23:59'
download:
  retry: {baseDelayMs: 5, maxDelayMs: 20}
`,
  );
});
afterAll(async () => {
  delete process.env[ENV];
  await archive.close();
});

describe('lco-data-management', () => {
  it('queries every proposal, downloads, decompresses and sorts (FLOYDS included); refuses escaping names', async () => {
    // A locked dataset: its frames stay in incoming. A pre-existing config must never be overwritten.
    const muscat = archive.frames.find(
      (f) => f.record.instrument_id === 'ep05' && f.record.configuration_type === 'EXPOSE',
    )?.record as Record<string, string>;
    const locked = path.join(ws, 'reduction', muscat.target_name, 'muscat', muscat.FILTER);
    mkdirSync(locked, { recursive: true });
    writeFileSync(path.join(locked, 'dataset.lock'), new Date().toISOString());
    const mine = path.join(ws, 'reduction', 'OGLE-2025-BLG-0042', 'sinistro', 'ip');
    mkdirSync(mine, { recursive: true });
    writeFileSync(path.join(mine, 'reduction_config.yaml'), 'edited: by hand\n');

    const r = await runLcoDataManagement(cfg);
    // the hostile names are refused, so the run is partial: every other frame arrives
    expect(r.status).toBe('partial');
    expect(r.run.failures.map((f) => f.code)).toEqual(['E_LCO_UNDELIVERED']);
    expect(r.problems.every((p) => p.kind === 'frame' && p.state === 'refused')).toBe(true);
    const expected = archive.frames.filter(
      (f) =>
        ['EXPOSE', 'SPECTRUM'].includes(f.record.configuration_type) && !HOSTILE_FILE_NAMES.includes(f.record.filename),
    );
    const proposals = new Set(expected.map((f) => f.record.proposal_id));
    expect(proposals.size).toBe(2);
    const rows = lcoFrames(cfg);
    const good = rows.filter((x) => x.state === 'sorted' || x.state === 'held');
    expect(good.map((x) => x.basename).sort()).toEqual(expected.map((f) => f.record.basename).sort());
    expect(new Set(good.map((x) => x.proposal_id))).toEqual(proposals);
    // FLOYDS spectra go to <target>/floyds/<DAY-OBS without '-'>
    const floyds = good.filter((x) => x.instrument === 'en06');
    expect(floyds.length).toBeGreaterThan(0);
    for (const f of floyds) expect(f.dataset).toMatch(/^[^/]+\/floyds\/\d{8}$/);
    // Sorted files are plain FITS with the archive header
    for (const f of good.filter((x) => x.state === 'sorted')) {
      expect(f.path?.startsWith(path.join(ws, 'reduction') + path.sep)).toBe(true);
      const h = openFits(f.path as string).hdu(0).header;
      expect(h.getString('OBJECT')).toBe(f.target);
      expect(
        openFits(f.path as string)
          .hdu(0)
          .readImage().shape,
      ).toEqual([32, 32]);
    }
    // dataset.lock: held in incoming
    const held = rows.filter((x) => x.state === 'held');
    expect(held.length).toBeGreaterThan(0);
    for (const h of held) expect(path.dirname(h.path as string)).toBe(path.join(ws, 'incoming'));
    expect(readdirSync(locked)).toEqual(['dataset.lock']);
    // Reduction configs: written for new imaging datasets, not for spectra, never overwritten
    expect(readFileSync(path.join(mine, 'reduction_config.yaml'), 'utf8')).toBe('edited: by hand\n');
    const sinistro = good.find(
      (x) =>
        x.dataset?.includes('/sinistro/') && x.dataset !== 'OGLE-2025-BLG-0042/sinistro/ip' && x.state === 'sorted',
    );
    const written = readFileSync(
      path.join(ws, 'reduction', sinistro?.dataset as string, 'reduction_config.yaml'),
      'utf8',
    );
    expect(written).toContain(`name: ${sinistro?.target}`);
    for (const f of floyds)
      expect(existsSync(path.join(ws, 'reduction', f.dataset as string, 'reduction_config.yaml'))).toBe(false);
    // Hostile names: refused, reported, nothing written outside the roots, no log line forged
    expect(r.problems.filter((p) => p.state === 'refused').map((p) => p.code)).toEqual(
      HOSTILE_FILE_NAMES.map(() => 'E_UNSAFE_NAME'),
    );
    expect(existsSync(path.join(ws, '..', 'escaped.fits.fz'))).toBe(false);
    expect(
      readdirSync(path.join(ws, 'incoming')).filter((n) => !['.cache', 'unused'].includes(n) && !n.endsWith('.fits')),
    ).toEqual([]);
    const logs = walk(path.join(ws, 'logs')).filter((x) => /\.(log|err)$/.test(x));
    expect(logs.some((f) => readFileSync(f, 'utf8').includes('"rtl\\u{202E}zf.stif.fits.fz" refused'))).toBe(true);
    for (const f of logs) {
      const text = readFileSync(f, 'utf8');
      expect(text, f).not.toMatch(/^forged-log-line/m);
      expect(text, f).not.toContain('\u202E');
      expect(text, f).not.toContain('\0');
    }
    expect(existsSync('/tmp/stagebook-absolute.fits.fz')).toBe(false);
    expect(lcoFramesPerTargetNight(rows).reduce((a, b) => a + b.frames, 0)).toBe(good.length);
  });

  it('a second run downloads nothing', async () => {
    archive.requests.length = 0;
    const r = await runLcoDataManagement(cfg);
    // the hostile names are refused, so the run is partial: every other frame arrives
    expect(r.status).toBe('partial');
    expect(r.run.failures.map((f) => f.code)).toEqual(['E_LCO_UNDELIVERED']);
    expect(r.problems.every((p) => p.kind === 'frame' && p.state === 'refused')).toBe(true);
    expect(archive.count(/^\/download\//)).toBe(0);
    expect(archive.count(/^\/frames\//)).toBeGreaterThan(0);
  });

  it('the token appears nowhere in the workspace (logs, ledger, manifests, reports)', () => {
    const hits = walk(ws).filter((f) => statSync(f).isFile() && readFileSync(f).includes(Buffer.from(TOKEN)));
    expect(hits).toEqual([]);
  });

  it('config errors name file:line:col and never echo a pasted token', async () => {
    const bad = path.join(ws, 'bad.yaml');
    writeFileSync(bad, readFileSync(cfg, 'utf8').replace(`token_envvar: '${ENV}'`, `token_envvar: '${TOKEN}'`));
    const err = await runLcoDataManagement(bad).then(
      () => new Error('expected a config error'),
      (e: unknown) => e as Error,
    );
    expect(err.message).toMatch(
      /bad\.yaml:6:19 archives\.lco\.token_envvar: expected the NAME of an environment variable/,
    );
    expect(err.message).not.toContain(TOKEN);
  });
});
