/**
 * ALEXIS stage 3 and stage 4 steps 1-7 through `stagebook run alexis` on the simulated Sun (the C4.0
 * flare of 2011-02-08 21:11, AIA at 128 px every 2 min, SXI GOES-15): every step writes its named
 * file in the flare's working directory; a rerun is served from the cache; a parameter change re-runs
 * its stage and, downstream, only what its changed files feed (content hashes, Ruffus semantics).
 * Runs the built CLI (kernel-lib/dist).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CANDIDATE_FILES, readCandidateFile } from '../kernel-lib/src/pipelines/alexis/candidate-files';
import { cli } from './support/engine-fixtures';

const dir = mkdtempSync(join(tmpdir(), 'sb-alexis-cand-'));
const WD = join(dir, 'alexis_data', 'flare_candidates', 'flarecandidate_C4.0_at_2011-02-08T21_11_00_08.working');
let port = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port: p } = s.address() as { port: number };
      s.close(() => resolve(p));
    });
  });
}

function config(stage4 = ''): string {
  return `root: .
inputs: { dir: ., pattern: alexis.yaml }
options:
  localArchive: { port: ${port}, aiaScale: 128, aiaCadenceSeconds: 120 }
  policy: { retry: { baseDelayMs: 5, maxDelayMs: 20 } }
stages:
  onboard: { start: '2011-02-08T20:00:00Z', end: '2011-02-08T22:30:00Z', sxiSatellites: [15], sources: [aia, sxi, goes] }
  download: { flares: [{ class: 'C4', time: '2011-02-08 21:11:00.08' }] }
  initialize: { concurrency: 2 }
  init-files: { minGoodAia: 10, minGoodSxi: 5 }
${stage4}`;
}

type RunJson = { status: string; stages: Record<string, Record<string, number>> };
function run(name: string, stage4 = '', args: string[] = []): RunJson {
  writeFileSync(join(dir, 'alexis.yaml'), config(stage4));
  const r = cli(['run', 'alexis', '--config', 'alexis.yaml', '--out-file', `${name}.json`, ...args], dir);
  expect(r.stderr + r.stdout).not.toMatch(/FAILED/);
  expect(r.code).toBe(0);
  return JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as RunJson;
}

const sha = (f: string): string => createHash('sha256').update(readFileSync(f)).digest('hex');
const fluxFiles = (): string[] => readdirSync(WD).filter((f) => f.endsWith('.v3_cluster_flux_timeseries.json'));
const ran = (r: RunJson, stage: string): number => r.stages[stage]?.succeeded ?? 0;
const cached = (r: RunJson, stage: string): number => r.stages[stage]?.cached ?? 0;

beforeAll(async () => {
  port = await freePort();
}, 10_000);

describe('stagebook run alexis: stage 3 and stage 4 steps 1-7', () => {
  it('writes every named file in the working directory, with the flare among the candidates', () => {
    const r = run('run1');
    expect(r.status).toBe('succeeded');
    for (const f of Object.values(CANDIDATE_FILES)) expect(existsSync(join(WD, f)), f).toBe(true);
    const files = readCandidateFile('initFiles', join(WD, CANDIDATE_FILES.initFiles));
    expect(new Set(files.map((f) => f.instrument))).toEqual(new Set(['AIA', 'SXI']));
    // The C4.0 flare of the simulated day sits at (-380", 260") (testing/solar defaultFlares).
    const cands = readCandidateFile('interestingPixels', join(WD, CANDIDATE_FILES.interestingPixels));
    expect(cands.some((c) => Math.hypot(c.x_hpc - -380, c.y_hpc - 260) < 50)).toBe(true);
    // One step-4 file per image of the kept groups, named as ALEXIS names them.
    expect(fluxFiles().length).toBe(files.length);
    expect(ran(r, 'cluster-flux')).toBe(files.length);
    const flux = readCandidateFile('clustersFlux', join(WD, CANDIDATE_FILES.clustersFlux));
    expect(new Set(flux.map((f) => f.bbox_linear_size_arcsec))).toEqual(new Set([150, 100, 80, 50]));
    expect(flux.length).toBe(files.length * cands.length * 4);
    const xrs = readCandidateFile('resampledXrs', join(WD, CANDIDATE_FILES.resampledXrs));
    expect(new Set(xrs.map((x) => x.xrs_wavelength))).toEqual(new Set(['A', 'B']));
    const steps = xrs.filter((x) => x.xrs_wavelength === 'B').map((x) => x.resampled_time_stamp);
    expect(steps.slice(1).every((t, i) => t - steps[i] === 60)).toBe(true);
    const img = readCandidateFile('resampledImg', join(WD, CANDIDATE_FILES.resampledImg));
    expect(img.length).toBeGreaterThan(0);
    expect(img.every((x) => Number.isFinite(x.img_resampled_value_cluster))).toBe(true);
  }, 600_000);

  it('a rerun with nothing changed is served from the cache', () => {
    const r = run('run2');
    expect(r.stages['resample-img']).toEqual({ cached: 1 });
    for (const s of Object.keys(r.stages)) expect(ran(r, s), s).toBe(0);
  }, 300_000);

  it('a step-1 parameter that leaves its file unchanged re-runs step 1 only', () => {
    const before = sha(join(WD, CANDIDATE_FILES.temporalClusters));
    const t = readCandidateFile('temporalClusters', join(WD, CANDIDATE_FILES.temporalClusters));
    expect(t.groups.every((g) => g.rows > 5)).toBe(true); // so minRows 4 clusters the same groups
    const r = run('run3', '  temporal-clusters: { minRows: 4 }\n', ['--start-level', 'L3']);
    expect(ran(r, 'temporal-clusters')).toBe(1);
    expect(sha(join(WD, CANDIDATE_FILES.temporalClusters))).toBe(before);
    for (const s of [
      'init-files',
      'hyperspectral-clusters',
      'split-clusters',
      'collate-flux',
      'resample-xrs',
      'resample-img',
    ])
      expect([s, ran(r, s), cached(r, s)]).toEqual([s, 0, 1]);
    expect(ran(r, 'cluster-flux')).toBe(0);
  }, 300_000);

  it('changing the DBSCAN eps re-runs step 2, and downstream only what its new file changes', () => {
    const pixels = join(WD, CANDIDATE_FILES.interestingPixels);
    const before = sha(pixels);
    const candidatesBefore = readCandidateFile('interestingPixels', pixels).length;
    const fluxBefore = new Map(fluxFiles().map((f) => [f, sha(join(WD, f))]));
    const r = run('run4', '  temporal-clusters: { minRows: 4 }\n  hyperspectral-clusters: { eps: 2000 }\n', [
      '--start-level',
      'L3',
    ]);
    expect(cached(r, 'init-files')).toBe(1);
    expect(cached(r, 'temporal-clusters')).toBe(1);
    expect(ran(r, 'hyperspectral-clusters')).toBe(1);
    const changed = sha(pixels) !== before;
    // eps 2000" joins every candidate into one: the file changes whenever there were two or more.
    expect(readCandidateFile('interestingPixels', pixels).length).toBe(1);
    expect(changed).toBe(candidatesBefore >= 2);
    expect(ran(r, 'split-clusters')).toBe(changed ? 1 : 0);
    const fluxChanged = fluxFiles().filter((f) => fluxBefore.get(f) !== sha(join(WD, f))).length;
    expect(ran(r, 'cluster-flux')).toBe(
      changed ? readCandidateFile('initFiles', join(WD, CANDIDATE_FILES.initFiles)).length : 0,
    );
    expect(fluxChanged).toBe(changed ? fluxFiles().length : 0);
    expect(ran(r, 'resample-img')).toBe(changed ? 1 : 0);
  }, 600_000);
});
