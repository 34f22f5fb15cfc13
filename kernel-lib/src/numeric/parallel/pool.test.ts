import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isStagebookError } from '../../errors/stagebook-error';
import { closeWorkerPool, runInWorkers } from './pool';

const task = join(__dirname, 'pool-task.test-fixture.ts');

describe('worker pool', () => {
  afterAll(() => closeWorkerPool());

  it('splits work over two threads and returns results in payload order', async () => {
    const data = Float64Array.from({ length: 1000 }, (_, i) => i);
    const parts = [{ data, from: 0, to: 500 }, { data, from: 500, to: 1000 }];
    const out = await runInWorkers<typeof parts[0], { sum: number }>(task, 'sumSlice', parts, { threads: 2 });
    expect(out.map((o) => o.sum)).toEqual([124750, 374750]);
  });

  it('turns a worker exception into a StagebookError with its code', async () => {
    const err = await runInWorkers(task, 'fail', [{}], { threads: 1 }).catch((e) => e);
    expect(isStagebookError(err, 'E_TEST')).toBe(true);
    expect(err.message).toBe('boom');
  });
});
