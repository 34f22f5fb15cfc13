/**
 * The StageContext given to `run`, and the commit of a unit's declared outputs: each output is
 * written under a temp name, then renamed to its final name, hashed and registered in the ledger
 * in one transaction. Until that transaction commits, the unit is not complete.
 */
import { promises as fsp, mkdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import type { Secret } from '../config/secrets';
import { resolveSecret } from '../config/secrets';
import { StagebookError } from '../errors/stagebook-error';
import type { CommittedOutput } from '../ledger/ledger';
import type { FileRef } from '../ledger/types';
import type { StageLogger } from '../logging/unit-log';
import type { PathGuard } from '../workdirs/confine';
import { ensureParentDir, tempPathFor } from '../workdirs/atomic';
import { resourceError } from '../ledger/resource-errors';
import { fileFacts } from './cache-key';
import type { AnyStage, OutputOptions, StageContext } from './stage';

/** An output declared by `ctx.output`, not yet committed. */
export interface PendingOutput {
  finalPath: string;
  tmpPath: string;
  level: string;
  product?: string;
}

/** Everything the context needs from the runner. */
export interface ContextDeps {
  runId: string;
  pipeline: string;
  stage: AnyStage;
  unit: string;
  params: unknown;
  inputs: FileRef[];
  root: string;
  guard: PathGuard;
  options: Record<string, unknown>;
  log: StageLogger;
  signal: AbortSignal;
  secrets: Record<string, string>;
  onProgress(n: number, total: number, message?: string): void;
}

/** Builds a context and keeps the list of outputs it declares. */
export function createStageContext(d: ContextDeps): { ctx: StageContext<unknown>; pending: PendingOutput[] } {
  const pending: PendingOutput[] = [];
  const where = `stage ${d.stage.name}`;
  const output = (relPath: string, o: OutputOptions = {}): string => {
    const finalPath = d.guard.resolve(relPath, `${where}: ctx.output`);
    if (pending.some((p) => p.finalPath === finalPath)) {
      throw new StagebookError('E_STAGE_OUTPUT', `${where}: ctx.output: ${relPath} declared twice`, {
        where,
        field: 'relPath',
        stage: d.stage.name,
      });
    }
    const tmpPath = tempPathFor(finalPath);
    try {
      ensureParentDir(tmpPath);
    } catch (e) {
      throw resourceError(e, `${where}: ctx.output(${JSON.stringify(relPath)})`) ?? e;
    }
    pending.push({ finalPath, tmpPath, level: o.level ?? d.stage.level, product: o.product ?? d.stage.product });
    return tmpPath;
  };
  const ctx: StageContext<unknown> = {
    runId: d.runId,
    pipeline: d.pipeline,
    stage: d.stage.name,
    unit: d.unit,
    params: d.params,
    inputs: d.inputs,
    input: d.inputs[0],
    root: d.root,
    guard: d.guard,
    options: d.options,
    log: d.log,
    signal: d.signal,
    progress: d.onProgress,
    output,
    async writeText(relPath, text, o) {
      await fsp.writeFile(output(relPath, o), text);
    },
    async writeJson(relPath, value, o) {
      await fsp.writeFile(output(relPath, o), JSON.stringify(value, null, 2) + '\n');
    },
    secret(name: string): Secret {
      const envVar = d.secrets[name];
      if (!envVar)
        throw new StagebookError(
          'E_SECRET_MISSING',
          `${where}: ctx.secret: no secret named ${JSON.stringify(name)} in the config's secrets map`,
          { where, field: name },
        );
      return resolveSecret(envVar);
    },
  };
  return { ctx, pending };
}

/** Checks the declared outputs against the stage kind (map = exactly one). */
export function checkOutputCount(stage: AnyStage, pending: PendingOutput[]): void {
  if (stage.kind === 'map' && pending.length !== 1) {
    throw new StagebookError(
      'E_STAGE_OUTPUT',
      `stage ${stage.name}: a map stage must declare exactly one output, it declared ${pending.length}`,
      { where: `stage ${stage.name}`, stage: stage.name },
    );
  }
}

/**
 * Hashes every temp (missing temp: E_STAGE_OUTPUT) and returns the outputs as they will be once
 * renamed (rename keeps content and mtime). Nothing is renamed yet: see `promoteOutputsSync`.
 */
export async function prepareOutputs(stage: AnyStage, pending: PendingOutput[]): Promise<CommittedOutput[]> {
  const out: CommittedOutput[] = [];
  for (const p of pending) {
    let facts: Awaited<ReturnType<typeof fileFacts>>;
    try {
      facts = await fileFacts(p.tmpPath);
    } catch {
      throw new StagebookError(
        'E_STAGE_OUTPUT',
        `stage ${stage.name}: declared output ${p.finalPath} was never written (write to the path ctx.output returned)`,
        { where: `stage ${stage.name}`, file: p.finalPath },
      );
    }
    out.push({
      path: p.finalPath,
      sha256: facts.sha256,
      size: facts.size,
      mtimeMs: facts.mtimeMs,
      level: p.level,
      product: p.product,
    });
  }
  return out;
}

/**
 * Renames every temp to its final name, synchronously: it runs inside the ledger's fenced commit
 * transaction (Ledger.commitOutputs), after the lease check, so a process that lost its lease
 * never replaces the winner's files.
 */
export function promoteOutputsSync(pending: PendingOutput[]): void {
  for (const p of pending) {
    mkdirSync(path.dirname(p.finalPath), { recursive: true });
    renameSync(p.tmpPath, p.finalPath);
  }
}

/** Removes the temps of a failed unit. */
export async function discardOutputs(pending: PendingOutput[]): Promise<void> {
  await Promise.all(pending.map((p) => fsp.rm(p.tmpPath, { force: true })));
}

/** Verifies cached outputs still exist unchanged (by hash or size, per policy). */
export async function outputsStillValid(outputs: FileRef[], mode: 'hash' | 'size'): Promise<boolean> {
  for (const o of outputs) {
    try {
      const st = await fsp.stat(o.path);
      if (st.size !== o.size) return false;
      if (mode === 'hash' && (await fileFacts(o.path)).sha256 !== o.sha256) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/** Relative (POSIX) path of a file under the root, else the absolute path. */
export function unitPath(root: string, file: string): string {
  const rel = path.relative(root, file);
  return rel.startsWith('..') || path.isAbsolute(rel) ? file : rel.split(path.sep).join('/');
}
