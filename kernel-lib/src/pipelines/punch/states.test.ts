import { describe, expect, it } from 'vitest';
import { isStagebookError } from '../../errors/stagebook-error';
import {
  FILE_STATES,
  FILE_TRANSITIONS,
  FLOW_STATES,
  FLOW_TRANSITIONS,
  checkFileTransition,
  checkFlowTransition,
  moveFiles,
  moveFlows,
  type FileState,
  type FlowState,
} from './states';
import { punchSandbox } from './testing-fixtures';

const LEGAL_FILE: Array<[FileState, FileState]> = [
  ['planned', 'creating'],
  ['planned', 'timed_out'],
  ['creating', 'created'],
  ['creating', 'failed'],
  ['creating', 'unreported'],
  ['creating', 'timed_out'],
  ['created', 'progressed'],
  ['created', 'quickpunched'],
  ['created', 'levelh'],
  ['quickpunched', 'progressed'],
  ['quickpunched', 'created'],
  ['levelh', 'progressed'],
  ['levelh', 'created'],
  ['progressed', 'created'],
  ['progressed', 'quickpunched'],
];
const LEGAL_FLOW: Array<[FlowState, FlowState]> = [
  ['being_planned', 'planned'],
  ['planned', 'launched'],
  ['launched', 'running'],
  ['launched', 'planned'],
  ['launched', 'timed_out'],
  ['running', 'completed'],
  ['running', 'failed'],
  ['running', 'timed_out'],
  ['completed', 'revivable'],
  ['failed', 'revivable'],
  ['timed_out', 'revivable'],
];

function pairs<S extends string>(states: readonly S[]): Array<[S, S]> {
  return states.flatMap((a) => states.map((b) => [a, b] as [S, S]));
}

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('PUNCH state machines (the tables)', () => {
  it('the file table is exactly the documented transitions', () => {
    const table = FILE_STATES.flatMap((a) => FILE_TRANSITIONS[a].map((b) => `${a}>${b}`)).sort();
    expect(table).toEqual(LEGAL_FILE.map(([a, b]) => `${a}>${b}`).sort());
  });

  it('the flow table is exactly the documented transitions', () => {
    const table = FLOW_STATES.flatMap((a) => FLOW_TRANSITIONS[a].map((b) => `${a}>${b}`)).sort();
    expect(table).toEqual(LEGAL_FLOW.map(([a, b]) => `${a}>${b}`).sort());
  });

  it('every illegal file transition (all 81 pairs checked) is E_PUNCH_TRANSITION naming the row and both states', () => {
    const legal = new Set(LEGAL_FILE.map(([a, b]) => `${a}>${b}`));
    let illegal = 0;
    for (const [a, b] of pairs(FILE_STATES)) {
      const e = errorOf(() => checkFileTransition(42, a, b));
      if (legal.has(`${a}>${b}`)) expect(e, `${a} -> ${b}`).toBeUndefined();
      else {
        illegal++;
        expect(isStagebookError(e) && e.code).toBe('E_PUNCH_TRANSITION');
        expect((e as Error).message).toContain(`file 42 cannot go from '${a}' to '${b}'`);
      }
    }
    expect(illegal).toBe(81 - LEGAL_FILE.length);
  });

  it('every illegal flow transition (all 64 pairs checked) is refused', () => {
    const legal = new Set(LEGAL_FLOW.map(([a, b]) => `${a}>${b}`));
    for (const [a, b] of pairs(FLOW_STATES)) {
      const e = errorOf(() => checkFlowTransition(7, a, b));
      if (legal.has(`${a}>${b}`)) expect(e).toBeUndefined();
      else expect((e as Error).message).toContain(`flow 7 cannot go from '${a}' to '${b}'`);
    }
  });
});

describe('moveFiles / moveFlows on a real control database', () => {
  function insertFile(db: ReturnType<typeof punchSandbox>['db'], id: number, state: FileState): void {
    db.prepare(
      `INSERT INTO punch_files (file_id, level, file_type, observatory, file_version, software_version, date_obs, state)
       VALUES (?, '0', 'PM', '1', '0', '0', ?, ?)`,
    ).run(id, id * 1000, state);
  }
  function insertFlow(db: ReturnType<typeof punchSandbox>['db'], id: number, state: FlowState): void {
    db.prepare(
      `INSERT INTO punch_flows (flow_id, flow_level, flow_type, state, creation_time, priority) VALUES (?, '1', 'level1', ?, 0, 1)`,
    ).run(id, state);
  }

  it('applies every legal file transition to a row, and refuses every illegal one without changing it', () => {
    const { db } = punchSandbox();
    let id = 0;
    for (const [a, b] of pairs(FILE_STATES)) {
      insertFile(db, ++id, a);
      const legal = FILE_TRANSITIONS[a].includes(b);
      const e = errorOf(() => moveFiles(db, { ids: [id] }, [a], b));
      const now = (db.prepare(`SELECT state FROM punch_files WHERE file_id = ?`).get(id) as { state: string }).state;
      if (legal) expect([e, now]).toEqual([undefined, b]);
      else expect([isStagebookError(e) && e.code, now]).toEqual(['E_PUNCH_TRANSITION', a]);
    }
    db.close();
  });

  it('applies every legal flow transition to a row, and refuses every illegal one', () => {
    const { db } = punchSandbox();
    let id = 0;
    for (const [a, b] of pairs(FLOW_STATES)) {
      insertFlow(db, ++id, a);
      const legal = FLOW_TRANSITIONS[a].includes(b);
      const e = errorOf(() => moveFlows(db, { ids: [id] }, [a], b));
      const now = (db.prepare(`SELECT state FROM punch_flows WHERE flow_id = ?`).get(id) as { state: string }).state;
      expect(now).toBe(legal ? b : a);
      if (!legal) expect((e as Error).message).toMatch(/flow .* cannot go from/);
    }
    db.close();
  });

  it('a selected row in an unexpected state is named (row id and its actual state) and nothing changes', () => {
    const { db } = punchSandbox();
    insertFile(db, 1, 'planned');
    insertFile(db, 2, 'created');
    const e = errorOf(() => moveFiles(db, { ids: [1, 2] }, ['planned'], 'creating'));
    expect((e as Error).message).toContain(`file 2 cannot go from 'created' to 'creating'`);
    expect(db.prepare(`SELECT count(*) AS n FROM punch_files WHERE state = 'planned'`).get()).toEqual({ n: 1 });
    // skipOthers: only rows in `from` move
    expect(moveFiles(db, { ids: [1, 2] }, ['planned'], 'creating', {}, { skipOthers: true })).toBe(1);
    db.close();
  });
});
