/**
 * The XPCS flow end to end through the CLI, as a beamline would use it: `xpcs automate` on a
 * simulated dataset (Transfer1 -> ExecCorr -> Transfer2 -> ExecPlots -> ExecPilot), the dataset then
 * found by `search`; --dry-run writing nothing; the crawler starting one flow per new dataset and
 * none twice across restarts; `flow wait` with a walltime.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeSimulatedXpcsDataset } from '../kernel-lib/src/pipelines/xpcs';
import { cli } from './support/engine-fixtures';

function workspace(): { dir: string; config: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-xflow-'));
  for (const d of ['clutch', 'theta']) mkdirSync(path.join(dir, d));
  const config = path.join(dir, 'flows.yaml');
  writeFileSync(
    config,
    [
      'ledger: .stagebook/ledger.db',
      'roots: [.]',
      'endpoints:',
      '  clutch: { path: clutch }',
      '  theta: { path: theta }',
      'search: { index: .stagebook/search.db }',
      'shell:',
      '  allow: { sh: /bin/sh }',
      'xpcs: { source_endpoint: clutch, compute_endpoint: theta, results_endpoint: clutch }',
      '',
    ].join('\n'),
  );
  return { dir, config };
}

const small = { frames: 96, size: 24, rings: 2, tau0: 8 };

describe('xpcs automate', () => {
  it('runs the five-step flow on a dataset and makes it findable', async () => {
    const { dir, config } = workspace();
    const ds = await writeSimulatedXpcsDataset(path.join(dir, 'clutch', '2026-2', 'silica'), 'A001_silica', small);
    const r = cli(['xpcs', 'automate', '--config', config, '--input', ds.config, '--imm', ds.imm, '--block'], dir);
    expect(r.stderr).not.toMatch(/failed/);
    expect(r.code).toBe(0);
    const runId = r.stdout.trim().split(/\s+/)[0];
    const results = path.join(dir, 'clutch', 'ALCF_results', 'A001_silica');
    expect(existsSync(path.join(results, 'A001_silica_results.hdf'))).toBe(true);
    expect(readdirSync(results).filter((f) => f.endsWith('.png'))).toContain('A001_silica_g2_corr_000_001.png');
    const status = cli(['flow', 'status', runId, '--config', config, '--json'], dir);
    const steps = JSON.parse(status.stdout).steps as { state: string; status: string }[];
    expect(steps.map((s) => `${s.state}:${s.status}`)).toEqual(
      ['Transfer1', 'ExecCorr', 'Transfer2', 'ExecPlots', 'ExecPilot'].map((s) => `${s}:succeeded`),
    );
    const found = cli(['search', 'dc.title:"A001_silica" AND qc.passed:true', '--config', config, '--json'], dir);
    expect(found.code).toBe(0);
    const hits = JSON.parse(found.stdout) as { subject: string; record: Record<string, unknown> }[];
    expect(hits.map((h) => h.subject)).toEqual(['xpcs/A001_silica']);
    expect(hits[0].record['links.plots']).toContain(path.join(results, 'A001_silica_g2_corr_000_001.png'));
  });

  it('--dry-run prints the plan and writes nothing', async () => {
    const { dir, config } = workspace();
    const ds = await writeSimulatedXpcsDataset(path.join(dir, 'clutch', 'x'), 'B002', small);
    const r = cli(['xpcs', 'automate', '--config', config, '--input', ds.config, '--imm', ds.imm, '--dry-run'], dir);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { steps: { state: string; plan: unknown }[] };
    expect(out.steps.map((s) => s.state)).toEqual(['Transfer1', 'ExecCorr', 'Transfer2', 'ExecPlots', 'ExecPilot']);
    expect(JSON.stringify(out.steps[0].plan)).toContain('Automate/B002/raw/B002/B002.hdf');
    expect(existsSync(path.join(dir, '.stagebook'))).toBe(false);
    expect(readdirSync(path.join(dir, 'theta'))).toEqual([]);
  });
});

describe('xpcs crawl', () => {
  it('starts one flow per new valid dataset, none twice across restarts, and reports invalid ones', async () => {
    const { dir, config } = workspace();
    await writeSimulatedXpcsDataset(path.join(dir, 'clutch', 'c1', 'ds1'), 'C1_ds1', small);
    await writeSimulatedXpcsDataset(path.join(dir, 'clutch', 'c1', 'ds2'), 'C1_ds2', { ...small, seed: 7 });
    const bad = path.join(dir, 'clutch', 'c1', 'broken');
    mkdirSync(bad);
    writeFileSync(path.join(bad, 'a.hdf'), '');
    writeFileSync(path.join(bad, 'b.hdf'), '');
    const first = cli(
      ['xpcs', 'crawl', path.join(dir, 'clutch'), '--config', config, '--expression', 'c1', '--block'],
      dir,
    );
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/crawl: 2 valid, 2 started, 0 already known, 1 invalid/);
    expect(first.stderr).toMatch(/invalid dataset .*broken: needs exactly one \.hdf and one raw-data file/);
    const again = cli(
      ['xpcs', 'crawl', path.join(dir, 'clutch'), '--config', config, '--expression', 'c1', '--block'],
      dir,
    );
    expect(again.stdout).toMatch(/crawl: 2 valid, 0 started, 2 already known, 1 invalid/);
    const runs = JSON.parse(cli(['flow', 'status', '--config', config, '--json'], dir).stdout) as { status: string }[];
    expect(runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
  });
});

describe('flow wait', () => {
  it('exits 9 at the walltime while the step runs, 0 once it succeeded', async () => {
    const { dir, config } = workspace();
    const flow = path.join(dir, 'hold.yaml');
    writeFileSync(
      flow,
      [
        'StartAt: Hold',
        'States:',
        '  Hold: { Type: Action, Action: shell, Next: Done }',
        '  Done: { Type: Succeed }',
        '',
      ].join('\n'),
    );
    const input = path.join(dir, 'in.json');
    writeFileSync(
      input,
      JSON.stringify({ command: 'sh', args: ['-c', 'while [ ! -f go ]; do sleep 0.05; done'], cwd: 'hold' }),
    );
    const started = cli(['flow', 'run', flow, '--config', config, '--input', input], dir);
    expect(started.code).toBe(0);
    const runId = started.stdout.trim();
    const early = cli(
      ['flow', 'wait', runId, '--config', config, '--step', 'Hold', '--walltime', '1', '--interval', '0.1'],
      dir,
    );
    expect(early.code).toBe(9);
    writeFileSync(path.join(dir, 'hold', 'go'), '');
    const done = cli(
      ['flow', 'wait', runId, '--config', config, '--step', 'Hold', '--walltime', '120', '--interval', '0.1'],
      dir,
    );
    expect(done.stdout).toMatch(/Hold: SUCCEEDED/);
    expect(done.code).toBe(0);
  });
});
