import { describe, expect, it } from 'vitest';
import { PROGRESS_MIME } from 'stagebook/progress-schema';
import { findRunCellIndex, revealRunCell, type NotebookViewLike } from './cell-locator';

const now = new Date().toISOString();
const progressOutput = (runId: string): unknown => ({
  output_type: 'display_data',
  metadata: {},
  data: { [PROGRESS_MIME]: { version: 1, runId, state: 'succeeded', startedAt: now, updatedAt: now, stages: [] } },
});

function notebook(cells: Array<{ id: string; outputs?: unknown[] }>): NotebookViewLike & { scrolled: number[] } {
  const scrolled: number[] = [];
  return {
    widgets: cells.map((c) => ({ model: { id: c.id, toJSON: () => ({ outputs: c.outputs ?? [] }) } })),
    activeCellIndex: 0,
    scrolled,
    scrollToItem: async (i: number) => {
      scrolled.push(i);
    },
  };
}

describe('finding the cell that ran a pipeline', () => {
  it('uses the cell id when known, even after cells were inserted above', () => {
    const nb = notebook([{ id: 'new' }, { id: 'x' }, { id: 'ran' }]);
    expect(findRunCellIndex(nb, { runId: 'r', cellId: 'ran' })).toBe(2);
  });

  it('falls back to the outputs carrying the run, and reports -1 when nothing matches', () => {
    const nb = notebook([
      { id: 'a', outputs: [progressOutput('other')] },
      { id: 'b', outputs: [progressOutput('r7')] },
    ]);
    expect(findRunCellIndex(nb, { runId: 'r7', cellId: 'deleted-cell' })).toBe(1);
    expect(findRunCellIndex(nb, { runId: 'nowhere' })).toBe(-1);
  });

  it('activates and scrolls to the cell', async () => {
    const nb = notebook([{ id: 'a' }, { id: 'b' }, { id: 'c' }]);
    expect(await revealRunCell(nb, { runId: 'r', cellId: 'c' })).toBe(2);
    expect(nb.activeCellIndex).toBe(2);
    expect(nb.scrolled).toEqual([2]);
    expect(await revealRunCell(nb, { runId: 'r', cellId: 'zzz' })).toBe(-1);
    expect(nb.scrolled).toEqual([2]);
  });
});
