/**
 * Workspace identity (issue 11 items 1-3), through the CLI in real processes: a cache hit needs
 * this workspace's own outputs (two roots on one ledger, a copied workspace), a workspace reached
 * through a symlink is the same workspace (one lock, one set of unit keys), and a cache hit
 * restores the file state the cached result implies (parameter revert, stage version rollback).
 */
import { cpSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { loadStagebookConfig } from '../kernel-lib/src/config/schema';
import { definePipeline } from '../kernel-lib/src/engine/pipeline';
import { runPipeline } from '../kernel-lib/src/engine/runner';
import { defineStage } from '../kernel-lib/src/engine/stage';
import { Ledger } from '../kernel-lib/src/ledger/ledger';
import { queryFiles } from '../kernel-lib/src/ledger/queries';
import { cli, cliAsync, exited, makeWorkspace } from './support/engine-fixtures';

const TEXTS = { a: 'alpha beta', b: 'bravo' };

function runOut(
  config: string,
  dir: string,
  extra: string[] = [],
): {
  code: number | null;
  stderr: string;
  out: { status: string; stages: Record<string, Record<string, number>>; outputs: { path: string }[] };
} {
  const outFile = path.join(dir, `out-${Math.random().toString(36).slice(2)}.json`);
  const r = cli(['run', 'example', '--config', config, '--out-file', outFile, ...extra], dir);
  return {
    code: r.code,
    stderr: r.stderr,
    out: r.code === 0 || r.code === 1 ? JSON.parse(readFileSync(outFile, 'utf8')) : undefined,
  };
}

function completeFiles(db: string): string[] {
  const ro = new Database(db, { readonly: true });
  try {
    return (
      ro.prepare(`SELECT path FROM files WHERE state = 'complete' AND stage IS NOT NULL ORDER BY path`).all() as {
        path: string;
      }[]
    ).map((r) => r.path);
  } finally {
    ro.close();
  }
}

const ALL_RAN = { tokenize: { succeeded: 2 }, 'split-by-initial': { succeeded: 2 }, collate: { succeeded: 1 } };
const ALL_CACHED = { tokenize: { cached: 2 }, 'split-by-initial': { cached: 2 }, collate: { cached: 1 } };

describe('workspace identity: cache hits stay inside their workspace', () => {
  it('two roots sharing one ledger each compute and keep their own outputs', () => {
    const w = makeWorkspace(TEXTS, 'ledger: ../shared.db\n');
    const ws2 = path.join(w.dir, 'ws2');
    cpSync(path.join(w.ws, 'incoming'), path.join(ws2, 'incoming'), { recursive: true });
    const config2 = path.join(w.dir, 'config2.yaml');
    writeFileSync(config2, readFileSync(w.config, 'utf8').replace('root: ws', 'root: ws2'));
    expect(runOut(w.config, w.dir).out.stages).toEqual(ALL_RAN);
    const second = runOut(config2, w.dir);
    expect(second.code, second.stderr).toBe(0);
    expect(second.out.stages).toEqual(ALL_RAN);
    expect(second.out.outputs.map((o) => path.relative(w.dir, o.path))).toEqual(['ws2/L2/counts.json']);
    // neither run superseded the other's files: both sets are current
    const complete = completeFiles(path.join(w.dir, 'shared.db')).map((p) => path.relative(w.dir, p));
    for (const ws of ['ws', 'ws2']) {
      expect(complete.filter((p) => p.startsWith(`${ws}/`))).toEqual([
        `${ws}/L0/a.words.json`,
        `${ws}/L0/b.words.json`,
        `${ws}/L1/a/a.json`,
        `${ws}/L1/a/b.json`,
        `${ws}/L1/b/b.json`,
        `${ws}/L2/counts.json`,
      ]);
    }
    expect(runOut(config2, w.dir).out.stages).toEqual(ALL_CACHED);
  });

  it('a copied workspace (cp -r, ledger included) is not cached on the original files', () => {
    const w = makeWorkspace(TEXTS);
    expect(runOut(w.config, w.dir).out.stages).toEqual(ALL_RAN);
    cpSync(w.ws, path.join(w.dir, 'copy'), { recursive: true });
    const config2 = path.join(w.dir, 'config2.yaml');
    writeFileSync(config2, readFileSync(w.config, 'utf8').replace('root: ws', 'root: copy'));
    const r = runOut(config2, w.dir);
    expect(r.out.stages).toEqual(ALL_RAN);
    expect(r.out.outputs.map((o) => path.relative(w.dir, o.path))).toEqual(['copy/L2/counts.json']);
    expect(runOut(config2, w.dir).out.stages).toEqual(ALL_CACHED);
  });

  it('a workspace reached through a symlink has the same unit keys and the same lock', async () => {
    const w = makeWorkspace(TEXTS, 'stages:\n  tokenize: { delayMs: 0 }\n');
    symlinkSync(w.ws, path.join(w.dir, 'link'));
    const viaLink = path.join(w.dir, 'config-link.yaml');
    writeFileSync(viaLink, readFileSync(w.config, 'utf8').replace('root: ws', 'root: link'));
    expect(runOut(viaLink, w.dir).out.stages).toEqual(ALL_RAN);
    expect(runOut(w.config, w.dir).out.stages).toEqual(ALL_CACHED);
    const ro = new Database(path.join(w.ws, '.stagebook/ledger.db'), { readonly: true });
    const units = (ro.prepare('SELECT DISTINCT unit FROM stage_runs ORDER BY unit').all() as { unit: string }[]).map(
      (r) => r.unit,
    );
    ro.close();
    // root-relative keys (an output reached through its real path is still under the root)
    expect(units).toEqual(['L0/a.words.json', 'L0/b.words.json', 'all', 'incoming/a.txt', 'incoming/b.txt']);
    // one lock: a run through the real path holds it while another comes through the link
    writeFileSync(w.config, readFileSync(w.config, 'utf8').replace('delayMs: 0', 'delayMs: 60000'));
    const first = cliAsync(['run', 'example', '--config', w.config, '--force'], w.dir);
    let err = '';
    first.stderr?.on('data', (d) => (err += d));
    await new Promise<void>((resolve) =>
      first.stderr?.on('data', () => err.includes('stage-started tokenize') && resolve()),
    );
    const second = cli(['run', 'example', '--config', viaLink], w.dir);
    first.kill('SIGKILL');
    await exited(first);
    expect(second.code, second.stderr).toBe(4);
    expect(second.stderr).toContain('E_RUN_LOCKED');
  });
});

describe('workspace identity: a cache hit restores the file state', () => {
  async function run(config: string, pipeline = undefined as Parameters<typeof runPipeline>[0] | undefined) {
    const { config: c, source } = loadStagebookConfig(config);
    const { examplePipeline } = await import('../kernel-lib/src/examples');
    return runPipeline(pipeline ?? examplePipeline, c, { source });
  }

  it('after a parameter change and its revert, every current file is complete again', async () => {
    const w = makeWorkspace({ a: 'Alpha beta bravo I', b: 'apple banana cherry cat' });
    const base = readFileSync(w.config, 'utf8');
    await run(w.config);
    const db = path.join(w.ws, '.stagebook/ledger.db');
    const before = completeFiles(db);
    writeFileSync(w.config, `${base}stages:\n  tokenize: { minLength: 2 }\n`);
    await run(w.config);
    expect(completeFiles(db)).not.toEqual(before);
    writeFileSync(w.config, base);
    const reverted = await run(w.config);
    // a's split outputs were left on disk unchanged (i.json only superseded): a cache hit
    expect(reverted.stages['split-by-initial']).toEqual({ cached: 2 });
    expect(completeFiles(db)).toEqual(before);
    const ledger = Ledger.open(db);
    expect(queryFiles(ledger, { level: 'L1' }).map((f) => path.relative(w.ws, f.path))).toEqual([
      'L1/a/a.json',
      'L1/a/b.json',
      'L1/a/i.json',
      'L1/b/a.json',
      'L1/b/b.json',
      'L1/b/c.json',
    ]);
    ledger.close();
  });

  it('after rolling a stage back from v2 to v1, its files say v1 again', async () => {
    const w = makeWorkspace(TEXTS);
    // v2 writes the same bytes (a refactor), so v1's cached result still verifies after the rollback
    const stage = (version: number) =>
      defineStage({
        name: 'upper',
        version,
        kind: 'map',
        level: 'L1',
        usesCore: false,
        async run(ctx) {
          await ctx.writeText(
            `L1/${path.basename(ctx.input.path)}`,
            readFileSync(ctx.input.path, 'utf8').toUpperCase(),
          );
        },
      });
    const v = (n: number) => definePipeline({ name: 'upper', stages: [stage(n)] });
    await run(w.config, v(1));
    const ledger2 = async () => {
      const l = Ledger.open(path.join(w.ws, '.stagebook/ledger.db'));
      try {
        return queryFiles(l, { level: 'L1' }).map((f) => f.version);
      } finally {
        l.close();
      }
    };
    await run(w.config, v(2));
    expect(await ledger2()).toEqual([2, 2]);
    const back = await run(w.config, v(1));
    expect(back.stages).toEqual({ upper: { cached: 2 } });
    const ledger = Ledger.open(path.join(w.ws, '.stagebook/ledger.db'));
    expect(queryFiles(ledger, { level: 'L1' }).map((f) => f.version)).toEqual([1, 1]);
    expect(queryFiles(ledger, { level: 'L1', versionLt: 2 })).toHaveLength(2);
    ledger.close();
    expect(readFileSync(path.join(w.ws, 'L1/a.txt'), 'utf8')).toBe('ALPHA BETA');
  });
});
