/**
 * Processing levels. The default ladder follows the seeds: STIX TM (telemetry) -> LB (level binary)
 * -> L0 -> L1 -> L2, PUNCH L3 and Q (quicklook). A pipeline may declare its own ordered ladder.
 */
import { StagebookError } from '../errors/stagebook-error';

/** Default level order, lowest first. */
export const DEFAULT_LEVELS: readonly string[] = ['TM', 'LB', 'L0', 'L1', 'L2', 'L3', 'Q'];

/** Index of `level` in `ladder` (E_INVALID_ARGUMENT naming the level when unknown). */
export function levelIndex(ladder: readonly string[], level: string, where = 'levelIndex'): number {
  const i = ladder.indexOf(level);
  if (i < 0)
    throw new StagebookError(
      'E_INVALID_ARGUMENT',
      `${where}: level ${JSON.stringify(level)} is not one of ${ladder.join(', ')}`,
      { where, field: 'level' },
    );
  return i;
}

/** Inclusive [start, end] indices (defaults: whole ladder); E_INVALID_ARGUMENT when start > end. */
export function levelRange(ladder: readonly string[], start?: string, end?: string): { start: number; end: number } {
  const s = start === undefined ? 0 : levelIndex(ladder, start, 'levelRange (start level)');
  const e = end === undefined ? ladder.length - 1 : levelIndex(ladder, end, 'levelRange (end level)');
  if (s > e)
    throw new StagebookError('E_INVALID_ARGUMENT', `levelRange: start level ${start} is above end level ${end}`, {
      where: 'levelRange',
      field: 'startLevel',
    });
  return { start: s, end: e };
}
