/**
 * Helpers of the scale-out tests: `stagebook worker` processes started through the CLI bin (each
 * resolves once it announced it is taking units), a BullMQ executor config, ledger snapshots
 * normalised for comparison across workspaces.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { cliAsync, exited } from './engine-fixtures';

export const SCALE_PIPELINE = path.resolve(__dirname, '../fixtures/scale-out/pipeline.js');

/** A running `stagebook worker`. */
export interface WorkerProcess {
  child: ChildProcess;
  name: string;
  /** Its stderr so far. */
  output(): string;
  /** Resolves when its stderr matches `re`. */
  waitFor(re: RegExp): Promise<void>;
  exit: Promise<number | null>;
}

/** Starts `stagebook worker --redis URL --name NAME ...extra` and waits until it takes units. */
export async function startWorker(
  url: string,
  name: string,
  extra: string[] = [],
  cwd = process.cwd(),
): Promise<WorkerProcess> {
  const child = cliAsync(['worker', '--redis', url, '--name', name, ...extra], cwd);
  let text = '';
  const waiters: { re: RegExp; resolve: () => void }[] = [];
  child.stderr?.on('data', (d: Buffer) => {
    text += d.toString();
    for (const w of [...waiters]) if (w.re.test(text)) (waiters.splice(waiters.indexOf(w), 1), w.resolve());
  });
  child.stdout?.resume();
  const exit = exited(child);
  const waitFor = (re: RegExp): Promise<void> =>
    re.test(text)
      ? Promise.resolve()
      : new Promise<void>((resolve, reject) => {
          waiters.push({ re, resolve });
          void exit.then(() => reject(new Error(`worker ${name} exited before printing ${re}:\n${text}`)));
        });
  const w: WorkerProcess = { child, name, output: () => text, waitFor, exit };
  await waitFor(/taking units/);
  return w;
}

/** Stops workers (SIGTERM: graceful; `hard`: SIGKILL, for cleanup after a failed test) and waits for their exits. */
export async function stopWorkers(workers: WorkerProcess[], hard = false): Promise<void> {
  for (const w of workers)
    if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill(hard ? 'SIGKILL' : 'SIGTERM');
  await Promise.all(workers.map((w) => w.exit));
}

/** The `executor:` YAML of a BullMQ config. */
export function bullmqYaml(url: string, queue: string, extra: Record<string, number | string> = {}): string {
  const lines = [`executor:`, `  kind: bullmq`, `  redis: ${url}`, `  queue: ${queue}`];
  for (const [k, v] of Object.entries(extra)) lines.push(`  ${k}: ${v}`);
  return lines.join('\n') + '\n';
}

/** Files under `dir` (relative path -> content), temps and the ledger/logs excluded. */
export function outputsOf(dir: string, sub: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    if (!existsSync(d)) return;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (!e.name.includes('.sbtmp-')) out[path.relative(dir, p)] = readFileSync(p, 'utf8');
    }
  };
  for (const s of sub) walk(path.join(dir, s));
  return out;
}

/** Every path of `dir` (recursively) whose name is an engine temp. */
export function tempsUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.includes('.sbtmp-')) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** Ledger rows that must not depend on the executor (workspace root, times, ids and log timestamps normalised). */
export function ledgerSnapshot(ws: string): { stageRuns: unknown[]; files: unknown[]; links: number } {
  const db = new Database(path.join(ws, '.stagebook/ledger.db'), { readonly: true });
  try {
    const norm = (s: string | null): string | null =>
      s === null
        ? null
        : s
            .split(ws)
            .join('<ws>')
            .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z /g, '<t> ');
    const stageRuns = (
      db
        .prepare(
          'SELECT stage, unit, status, stage_version, params_json, cache_key, inputs_json, outputs_json, error_json, log FROM stage_runs ORDER BY stage, unit',
        )
        .all() as Record<string, string | null>[]
    ).map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'string' ? norm(v) : v])));
    const files = (
      db
        .prepare('SELECT path, sha256, size, level, product, version, state, stage, unit FROM files ORDER BY path')
        .all() as Record<string, string | null>[]
    ).map((r) => ({ ...r, path: norm(r.path) }));
    const links = (db.prepare('SELECT COUNT(*) AS n FROM file_links').get() as { n: number }).n;
    return { stageRuns, files, links };
  } finally {
    db.close();
  }
}

/** Opens a workspace's ledger read-only for assertions. */
export function ledgerOf(ws: string): Database.Database {
  return new Database(path.join(ws, '.stagebook/ledger.db'), { readonly: true });
}
