/**
 * Side inputs (engine/stage.ts `sideInputs`): data a unit reads besides its input files is part of
 * its cache key and of its ledger row. A toy stage reads one row per unit from a real SQLite table;
 * changing that row re-runs exactly that unit; a throwing hook fails the unit (never a cached skip).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { loadStagebookConfig } from '../kernel-lib/src/config/schema';
import { cacheKey, sha256Text } from '../kernel-lib/src/engine/cache-key';
import { definePipeline } from '../kernel-lib/src/engine/pipeline';
import { runPipeline } from '../kernel-lib/src/engine/runner';
import { defineStage } from '../kernel-lib/src/engine/stage';
import { Ledger } from '../kernel-lib/src/ledger/ledger';
import { stageRunsOf } from '../kernel-lib/src/ledger/queries';
import { makeWorkspace } from './support/engine-fixtures';

/** A side table `labels(name, label)` in the workspace: one row per input file. */
function labelsDb(ws: string, rows: Record<string, string>): string {
  const file = path.join(ws, 'labels.db');
  const db = new Database(file);
  db.exec('CREATE TABLE IF NOT EXISTS labels (name TEXT PRIMARY KEY, label TEXT NOT NULL)');
  const put = db.prepare('INSERT OR REPLACE INTO labels (name, label) VALUES (?, ?)');
  for (const [name, label] of Object.entries(rows)) put.run(name, label);
  db.close();
  return file;
}

function labelOf(ws: string, name: string): string | undefined {
  const db = new Database(path.join(ws, 'labels.db'), { readonly: true });
  try {
    return (db.prepare('SELECT label FROM labels WHERE name = ?').get(name) as { label: string } | undefined)?.label;
  } finally {
    db.close();
  }
}

const nameOf = (p: string): string => path.basename(p, '.txt');

const labelled = defineStage<Record<string, never>>({
  name: 'label',
  version: 1,
  kind: 'map',
  level: 'L1',
  usesCore: false,
  async sideInputs(ctx) {
    const name = nameOf(ctx.input.path);
    if (name === 'broken') throw new Error('the labels table is unreadable for broken');
    const label = labelOf(ctx.root, name);
    return [{ path: `labels.db#labels[${name}]`, sha256: sha256Text(JSON.stringify([name, label ?? null])) }];
  },
  async run(ctx) {
    const name = nameOf(ctx.input.path);
    await ctx.writeText(`L1/${name}.txt`, `${labelOf(ctx.root, name)}: ${readFileSync(ctx.input.path, 'utf8')}`);
  },
});
const pipeline = definePipeline({ name: 'side', stages: [labelled] });

async function run(configFile: string) {
  const { config, source } = loadStagebookConfig(configFile);
  return runPipeline(pipeline, config, { source });
}

describe('engine: side inputs in the cache key', () => {
  it('skips a unit with an unchanged side digest, re-runs the one whose side row changed, records it', async () => {
    const w = makeWorkspace({ a: 'alpha', b: 'bravo' });
    labelsDb(w.ws, { a: 'first', b: 'second' });
    const first = await run(w.config);
    expect(first.stages).toEqual({ label: { succeeded: 2 } });
    expect((await run(w.config)).stages).toEqual({ label: { cached: 2 } });

    labelsDb(w.ws, { b: 'corrected' });
    const third = await run(w.config);
    expect(third.stages).toEqual({ label: { cached: 1, succeeded: 1 } });
    expect(readFileSync(path.join(w.ws, 'L1/b.txt'), 'utf8')).toBe('corrected: bravo');
    expect(readFileSync(path.join(w.ws, 'L1/a.txt'), 'utf8')).toBe('first: alpha');

    const ledger = Ledger.open(path.join(w.ws, '.stagebook/ledger.db'));
    const rows = stageRunsOf(ledger, third.runId);
    ledger.close();
    const b = rows.find((r) => r.unit.endsWith('b.txt'));
    const a = rows.find((r) => r.unit.endsWith('a.txt'));
    expect(b?.status).toBe('succeeded');
    expect(JSON.parse(b?.side_inputs_json ?? 'null')).toEqual([
      { path: 'labels.db#labels[b]', sha256: sha256Text(JSON.stringify(['b', 'corrected'])) },
    ]);
    // a cache hit records what it was keyed on too
    expect(a?.status).toBe('cached');
    expect(JSON.parse(a?.side_inputs_json ?? 'null')).toEqual([
      { path: 'labels.db#labels[a]', sha256: sha256Text(JSON.stringify(['a', 'first'])) },
    ]);
  });

  it('fails the unit of a throwing hook with E_STAGE_SIDE_INPUTS naming stage and unit, every time', async () => {
    const w = makeWorkspace({ a: 'alpha', broken: 'x' });
    labelsDb(w.ws, { a: 'first' });
    const { config, source } = loadStagebookConfig(w.config);
    for (let i = 0; i < 2; i++) {
      const r = await runPipeline(pipeline, config, { source, onError: 'continue' });
      expect(r.status).toBe('partial');
      expect(r.stages).toEqual({ label: i === 0 ? { succeeded: 1, failed: 1 } : { cached: 1, failed: 1 } });
      expect(r.failures).toEqual([
        {
          stage: 'label',
          unit: expect.stringMatching(/broken\.txt$/),
          code: 'E_STAGE_SIDE_INPUTS',
          message: expect.stringMatching(
            /^stage label, unit \S*broken\.txt: its sideInputs hook failed: the labels table is unreadable for broken$/,
          ),
        },
      ]);
    }
  });

  it('refuses malformed entries (not a sha256) as a failure of the unit', async () => {
    const w = makeWorkspace({ a: 'alpha' });
    const bad = defineStage<Record<string, never>>({
      name: 'bad',
      version: 1,
      kind: 'map',
      level: 'L1',
      usesCore: false,
      sideInputs: () => [{ path: 'x.db#t', sha256: 'not-a-digest' }],
      run: () => undefined,
    });
    const { config, source } = loadStagebookConfig(w.config);
    const r = await runPipeline(definePipeline({ name: 'bad', stages: [bad] }), config, { source });
    expect(r.status).not.toBe('succeeded');
    expect(r.failures[0]).toMatchObject({ stage: 'bad', code: 'E_STAGE_SIDE_INPUTS' });
    expect(r.failures[0]?.message).toMatch(/64 hex digits/);
  });

  it('keeps the cache key of a stage without the hook (no KEY_FORMAT bump)', () => {
    const k = { stage: 's', version: 1, params: {}, inputs: [{ path: 'a', sha256: 'x' }], coreHash: null };
    // the key of a stage without side inputs, as every ledger before this change recorded it
    const legacy = sha256Text(
      JSON.stringify({
        coreHash: null,
        format: 1,
        inputs: [{ path: 'a', sha256: 'x' }],
        paramsHash: sha256Text('{}'),
        stage: 's',
        version: 1,
      }),
    );
    expect(cacheKey(k)).toBe(legacy);
    const side = cacheKey({ ...k, sideInputs: [{ path: 'db#t', sha256: sha256Text('1') }] });
    expect(side).not.toBe(legacy);
    expect(cacheKey({ ...k, sideInputs: [{ path: 'db#t', sha256: sha256Text('2') }] })).not.toBe(side);
  });
});
