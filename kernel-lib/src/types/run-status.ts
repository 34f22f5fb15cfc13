/**
 * The one status vocabulary of stagebook (issue 12, point 7), shared by the ledger (`runs.status`,
 * `stage_runs.status`, with CHECK constraints in ledger/migrations.ts), the engine's RunResult, the
 * notebook runner (run record, `run_end` event, summary line), the progress payload and the
 * JupyterLab panel. Imports nothing: the browser extension bundles it through the progress schema.
 *
 * Why a run is `failed` (a stage, a cell, a timeout, a dead kernel) is told by the error code
 * (E_STAGE_FAILED, E_NOTEBOOK_CELL_FAILED, E_NOTEBOOK_TIMEOUT, E_KERNEL_DIED, ...), never by more statuses.
 */

/**
 * A whole run (engine pipeline run or notebook run):
 * - `running`: started and not finished (with an expired lease: its owner died, "stale");
 * - `succeeded`: every unit/cell finished without error (cached units count);
 * - `partial`: some units failed (or were blocked) while others succeeded or were cached (issue 22:
 *   such a run is neither a success nor a total failure; the CLI exits 1);
 * - `failed`: no unit succeeded, or a cell failed, or the kernel died or timed out;
 * - `interrupted`: stopped by a signal (SIGINT/SIGTERM, abort) or a lost lease; resumable.
 */
export const RUN_STATUSES = ['running', 'succeeded', 'partial', 'failed', 'interrupted'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/**
 * One stage (or one unit of a stage) within a run: the run statuses plus
 * - `pending`: not started yet (progress displays only; the ledger has no row for it yet);
 * - `cached`: skipped, an earlier run's outputs with the same cache key were reused;
 * - `blocked`: not run because an upstream unit failed.
 */
export const STAGE_STATUSES = [
  'pending',
  'running',
  'succeeded',
  'cached',
  'failed',
  'blocked',
  'interrupted',
] as const;
export type StageStatus = (typeof STAGE_STATUSES)[number];
