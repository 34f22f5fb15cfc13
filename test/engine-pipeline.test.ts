/**
 * The engine in-process (what a notebook cell does): a three-stage pipeline with a split and a
 * merge, full cache skips on re-run, parameter changes re-running only what depends on them,
 * failures with .err markers, level ranges, path confinement of stage outputs.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadStagebookConfig } from '../kernel-lib/src/config/schema';
import { definePipeline } from '../kernel-lib/src/engine/pipeline';
import { runPipeline } from '../kernel-lib/src/engine/runner';
import { defineStage } from '../kernel-lib/src/engine/stage';
import { EventBus, type StagebookEvent } from '../kernel-lib/src/events/emitter';
import { examplePipeline } from '../kernel-lib/src/examples';
import { StagebookError } from '../kernel-lib/src/errors/stagebook-error';
import { Ledger } from '../kernel-lib/src/ledger/ledger';
import { failures, lineage, queryFiles, stageRunsOf } from '../kernel-lib/src/ledger/queries';
import { makeWorkspace } from './support/engine-fixtures';

const TEXTS = { a: 'Alpha beta bravo I', b: 'apple banana cherry cat' };

function setParams(configFile: string, yaml: string): void {
  const base = readFileSync(configFile, 'utf8').split('\nstages:')[0];
  writeFileSync(configFile, `${base}\nstages:\n${yaml}`);
}

async function run(configFile: string, opts: Parameters<typeof runPipeline>[2] = {}) {
  const { config, source } = loadStagebookConfig(configFile);
  return runPipeline(examplePipeline, config, { source, ...opts });
}

describe('engine: split and merge pipeline', () => {
  it('runs tokenize (map) -> split-by-initial (split) -> collate (merge) and records lineage', async () => {
    const w = makeWorkspace(TEXTS);
    const bus = new EventBus();
    const seen: StagebookEvent[] = [];
    bus.subscribe((e) => seen.push(e));
    const r = await run(w.config, { events: bus });
    expect(r.status).toBe('succeeded');
    expect(r.stages).toEqual({
      tokenize: { succeeded: 2 },
      'split-by-initial': { succeeded: 2 },
      collate: { succeeded: 1 },
    });
    // a: alpha, beta, bravo, i -> a,b,i ; b: apple, banana, cherry, cat -> a,b,c
    expect(existsSync(path.join(w.ws, 'L1/a/i.json'))).toBe(true);
    const counts = JSON.parse(readFileSync(path.join(w.ws, 'L2/counts.json'), 'utf8'));
    expect(counts).toEqual({ files: 6, counts: { b: 3, a: 2, c: 2, i: 1 } });
    const ledger = Ledger.open(path.join(w.ws, '.stagebook/ledger.db'));
    const l1 = queryFiles(ledger, { level: 'L1' });
    expect(l1.map((f) => path.relative(w.ws, f.path))).toEqual([
      'L1/a/a.json',
      'L1/a/b.json',
      'L1/a/i.json',
      'L1/b/a.json',
      'L1/b/b.json',
      'L1/b/c.json',
    ]);
    const lin = lineage(ledger, path.join(w.ws, 'L2/counts.json'));
    expect(lin.parents).toHaveLength(6);
    expect(lineage(ledger, path.join(w.ws, 'L0/a.words.json')).children).toHaveLength(3);
    ledger.close();
    const types = seen.map((e) => e.type);
    expect(types[0]).toBe('run-started');
    expect(types.at(-1)).toBe('run-finished');
    expect(types.filter((t) => t === 'stage-finished')).toHaveLength(5);
    expect(
      seen.some((e) => e.type === 'progress' && e.stage === 'split-by-initial' && e.n === 3 && e.total === 3),
    ).toBe(true);
  });

  it('skips everything on a re-run, re-runs only what a parameter change affects, and honours force', async () => {
    const w = makeWorkspace(TEXTS);
    await run(w.config);
    const again = await run(w.config);
    expect(again.stages).toEqual({
      tokenize: { cached: 2 },
      'split-by-initial': { cached: 2 },
      collate: { cached: 1 },
    });
    // collate parameter: only the merge re-runs
    setParams(w.config, '  collate: { top: 2 }\n');
    const top = await run(w.config);
    expect(top.stages).toEqual({
      tokenize: { cached: 2 },
      'split-by-initial': { cached: 2 },
      collate: { succeeded: 1 },
    });
    expect(Object.keys(JSON.parse(readFileSync(path.join(w.ws, 'L2/counts.json'), 'utf8')).counts)).toEqual(['b', 'a']);
    // tokenize parameter: both tokenize units re-run, but only a's words change ("I" dropped),
    // so split re-runs for a only; collate re-runs since one input changed
    setParams(w.config, '  collate: { top: 2 }\n  tokenize: { minLength: 2 }\n');
    const minLen = await run(w.config);
    expect(minLen.stages).toEqual({
      tokenize: { succeeded: 2 },
      'split-by-initial': { succeeded: 1, cached: 1 },
      collate: { succeeded: 1 },
    });
    const ledger = Ledger.open(path.join(w.ws, '.stagebook/ledger.db'));
    // the dropped split output of a ('i') is superseded, not complete
    expect(queryFiles(ledger, { level: 'L1' }).some((f) => f.path.endsWith('a/i.json'))).toBe(false);
    expect(queryFiles(ledger, { level: 'L1', state: 'superseded' }).map((f) => path.basename(f.path))).toEqual([
      'i.json',
    ]);
    ledger.close();
    const forced = await run(w.config, { force: ['split-by-initial'] });
    expect(forced.stages['split-by-initial']).toEqual({ succeeded: 2 });
    expect(forced.stages.tokenize).toEqual({ cached: 2 });
  });

  it('re-runs a unit whose cached output was altered or deleted', async () => {
    const w = makeWorkspace(TEXTS);
    await run(w.config);
    writeFileSync(path.join(w.ws, 'L1/b/c.json'), '["tampered"]\n');
    const r = await run(w.config);
    expect(r.stages['split-by-initial']).toEqual({ cached: 1, succeeded: 1 });
    expect(JSON.parse(readFileSync(path.join(w.ws, 'L1/b/c.json'), 'utf8'))).toEqual(['cherry', 'cat']);
  });

  it('continue-on-error: failed unit gets an .err marker, the merge is blocked, the run is partial', async () => {
    const w = makeWorkspace({ ...TEXTS, bad: 'x y' });
    setParams(w.config, '  tokenize: { failOn: bad }\n');
    const r = await run(w.config, { onError: 'continue' });
    expect(r.status).toBe('partial');
    expect(r.stages).toEqual({
      tokenize: { succeeded: 2, failed: 1 },
      'split-by-initial': { succeeded: 2 },
      collate: { blocked: 1 },
    });
    const err = path.join(w.ws, 'logs/tokenize/incoming__bad.txt.err');
    expect(JSON.parse(readFileSync(err, 'utf8')).code).toBe('E_INVALID_ARGUMENT');
    const ledger = Ledger.open(path.join(w.ws, '.stagebook/ledger.db'));
    const f = failures(ledger, r.runId);
    expect(f).toHaveLength(1);
    expect(f[0].log).toContain('refusing bad');
    ledger.close();
    // fixing the parameter clears the failure and the marker
    setParams(w.config, '  tokenize: { failOn: nomatch }\n');
    const fixed = await run(w.config);
    expect(fixed.status).toBe('succeeded');
    expect(existsSync(err)).toBe(false);
  });

  it('continue-on-error blocks only the merge groups that depend on a failure', async () => {
    const w = makeWorkspace({});
    for (const [f, t] of [
      ['ds1/a.txt', 'one'],
      ['ds1/b.txt', 'two'],
      ['ds2/ok.txt', 'three'],
      ['ds2/bad.txt', 'four'],
    ]) {
      mkdirSync(path.dirname(path.join(w.ws, 'incoming', f)), { recursive: true });
      writeFileSync(path.join(w.ws, 'incoming', f), t);
    }
    writeFileSync(w.config, readFileSync(w.config, 'utf8').replace('"*.txt"', '"**/*.txt"'));
    const dataset = (f: { path: string }, root: string): string => path.relative(root, f.path).split(path.sep)[1];
    const upper = defineStage({
      name: 'upper',
      version: 1,
      kind: 'map',
      level: 'L1',
      usesCore: false,
      async run(ctx) {
        // a writer's own error names what it was writing, not the input it was given
        if (ctx.input.path.endsWith('bad.txt'))
          throw new StagebookError('E_FORMAT', 'writeHdf5: L1/ds2/bad.h5: dataset /data has no shape');
        await ctx.writeText(
          `L1/${dataset(ctx.input, ctx.root)}/${path.basename(ctx.input.path)}`,
          readFileSync(ctx.input.path, 'utf8').toUpperCase(),
        );
      },
    });
    const collect = defineStage({
      name: 'collect',
      version: 1,
      kind: 'merge',
      level: 'L2',
      usesCore: false,
      after: ['upper'],
      groupBy: dataset,
      async run(ctx) {
        await ctx.writeJson(
          `L2/${ctx.unit}.json`,
          ctx.inputs.map((f) => readFileSync(f.path, 'utf8')),
        );
      },
    });
    const { config } = loadStagebookConfig(w.config);
    const r = await runPipeline(definePipeline({ name: 'datasets', stages: [upper, collect] }), config, {
      onError: 'continue',
    });
    // some units failed, others succeeded: partial (issue 22), never succeeded
    expect(r.status).toBe('partial');
    expect(r.stages).toEqual({ upper: { succeeded: 3, failed: 1 }, collect: { succeeded: 1, blocked: 1 } });
    expect(JSON.parse(readFileSync(path.join(w.ws, 'L2/ds1.json'), 'utf8'))).toEqual(['ONE', 'TWO']);
    expect(existsSync(path.join(w.ws, 'L2/ds2.json'))).toBe(false);
    // the stage's own message names the unit and its input
    expect(r.failures[0]).toMatchObject({
      code: 'E_FORMAT',
      message: expect.stringMatching(
        /^stage upper on incoming\/ds2\/bad\.txt \(input \S+\/incoming\/ds2\/bad\.txt\): writeHdf5: /,
      ),
    });
  });

  it('a run of many units leaks no abort listeners (no MaxListenersExceededWarning)', async () => {
    const texts = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`t${i}`, `word${i} other`]));
    const w = makeWorkspace(texts, 'stages:\n  tokenize: { delayMs: 1 }\n  split-by-initial: { delayMs: 1 }\n');
    const warnings: string[] = [];
    const onWarning = (e: Error): void => {
      warnings.push(e.name);
    };
    process.on('warning', onWarning);
    try {
      const r = await run(w.config, { signal: new AbortController().signal });
      expect(r.status).toBe('succeeded');
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).not.toContain('MaxListenersExceededWarning');
  });

  it('stop-on-error stops at the first failure', async () => {
    const w = makeWorkspace({ a: 'one', bad: 'two', c: 'three' });
    setParams(w.config, '  tokenize: { failOn: bad }\n');
    const r = await run(w.config, { onError: 'stop' });
    expect(r.status).toBe('partial');
    expect(r.stages).toEqual({ tokenize: { succeeded: 1, failed: 1 } });
  });

  it('runs a level range: up to L1, then from L2 using the ledger', async () => {
    const w = makeWorkspace(TEXTS);
    const first = await run(w.config, { endLevel: 'L1' });
    expect(first.stages).toEqual({ tokenize: { succeeded: 2 }, 'split-by-initial': { succeeded: 2 } });
    expect(existsSync(path.join(w.ws, 'L2/counts.json'))).toBe(false);
    const second = await run(w.config, { startLevel: 'L2' });
    expect(second.stages).toEqual({
      tokenize: { frozen: 2 },
      'split-by-initial': { frozen: 6 },
      collate: { succeeded: 1 },
    });
    await expect(run(makeWorkspace(TEXTS).config, { startLevel: 'L2' })).rejects.toMatchObject({ code: 'E_NO_INPUTS' });
    await expect(run(w.config, { startLevel: 'L2', endLevel: 'L0' })).rejects.toMatchObject({
      code: 'E_INVALID_ARGUMENT',
    });
  });

  it('refuses a stage output that escapes the write roots', async () => {
    const w = makeWorkspace(TEXTS);
    const escaping = definePipeline({
      name: 'escape',
      stages: [
        defineStage({
          name: 'evil',
          version: 1,
          kind: 'map',
          level: 'L0',
          usesCore: false,
          async run(ctx) {
            await ctx.writeText('../outside.txt', 'x');
          },
        }),
      ],
    });
    const { config } = loadStagebookConfig(w.config);
    const r = await runPipeline(escaping, config, { onError: 'continue' });
    expect(r.status).toBe('failed');
    expect(r.failures[0].code).toBe('E_PATH_ESCAPE');
    expect(existsSync(path.join(w.dir, 'outside.txt'))).toBe(false);
  });

  it('locates a bad stage parameter in the YAML', async () => {
    const w = makeWorkspace(TEXTS);
    setParams(w.config, '  tokenize:\n    minLength: 0\n');
    await expect(run(w.config)).rejects.toMatchObject({
      code: 'E_CONFIG_INVALID',
      message: expect.stringMatching(/config\.yaml:7:16 stages\.tokenize\.minLength: /),
    });
    setParams(w.config, '  tokenise: {}\n');
    await expect(run(w.config)).rejects.toMatchObject({
      message: expect.stringMatching(/stages\.tokenise: no stage named tokenise/),
    });
  });

  it('records stage versions for reprocessing queries (version < N)', async () => {
    const w = makeWorkspace(TEXTS);
    await run(w.config);
    const ledger = Ledger.open(path.join(w.ws, '.stagebook/ledger.db'));
    expect(queryFiles(ledger, { level: 'L1', versionLt: 2 })).toHaveLength(6);
    expect(queryFiles(ledger, { level: 'L1', versionLt: 1 })).toHaveLength(0);
    expect(
      stageRunsOf(ledger, (ledger.db.prepare('SELECT id FROM runs').get() as { id: string }).id).every(
        (s) => s.status === 'succeeded',
      ),
    ).toBe(true);
    ledger.close();
  });
});
