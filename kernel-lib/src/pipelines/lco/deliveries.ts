/**
 * Stage `deliveries` (one unit per fetch report): fails, with every undelivered frame and its reason
 * in the message, when a frame of the manifest failed to download, was refused (unsafe name) or
 * could not be used. fetch-sort itself succeeds so that the frames that did arrive are committed and
 * sorted; this unit's failure is what makes the run `partial` instead of `succeeded` (issue 22
 * item 4: a run with 22 failed downloads used to print "succeeded").
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { escapeForLog } from '../../acquisition/names';
import { defineStage } from '../../engine/stage';
import { StagebookError } from '../../errors/stagebook-error';
import type { FrameOutcome } from './fetch-sort';

/** How many undelivered frames the error message lists one by one (the rest are counted). */
const LISTED = 20;

/** The error for a report's undelivered frames, or undefined when every frame arrived. */
export function undeliveredError(report: string, outcomes: readonly FrameOutcome[]): StagebookError | undefined {
  const bad = outcomes.filter((o) => o.state === 'failed' || o.state === 'refused');
  if (bad.length === 0) return undefined;
  const lines = bad
    .slice(0, LISTED)
    .map((o) => `  ${escapeForLog(o.basename)}: ${o.state}: ${o.code ?? '?'}: ${escapeForLog(o.message ?? '')}`);
  if (bad.length > LISTED) lines.push(`  ... and ${bad.length - LISTED} more (see lco_frames in the ledger)`);
  const delivered = outcomes.length - bad.length;
  return new StagebookError(
    'E_LCO_UNDELIVERED',
    `${bad.length} of ${outcomes.length} frames not delivered (${delivered} sorted, held or already present):\n${lines.join('\n')}`,
    {
      where: 'deliveries',
      file: report,
      undelivered: bad.length,
      total: outcomes.length,
    },
  );
}

/** Stage `deliveries`. */
export const lcoDeliveriesStage = defineStage<Record<string, never>>({
  name: 'deliveries',
  version: 1,
  kind: 'merge',
  level: 'L2',
  product: 'lco-deliveries',
  usesCore: false,
  after: ['fetch-sort'],
  accepts: 'reports/*.json',
  groupBy: (f, root) => path.relative(root, f.path).split(path.sep).join('/'),
  description: 'Fails (run partial) when a frame of the manifest was not delivered, listing each one with its reason',
  async run(ctx) {
    const report = ctx.inputs[0].path;
    const { outcomes } = JSON.parse(await fsp.readFile(report, 'utf8')) as { outcomes: FrameOutcome[] };
    const err = undeliveredError(report, outcomes);
    if (err) throw err;
    ctx.log.info(`${outcomes.length} frames: every one delivered`);
  },
});
