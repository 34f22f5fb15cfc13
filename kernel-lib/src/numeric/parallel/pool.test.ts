import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isStagebookError } from '../../errors/stagebook-error';
import { closeWorkerPool, runInWorkers, shareTypedArray } from './pool';

const task = join(__dirname, 'pool-task.test-fixture.ts');

describe('worker pool', () => {
  afterAll(() => closeWorkerPool());

  it('splits work over two threads and returns results in payload order', async () => {
    const data = Float64Array.from({ length: 1000 }, (_, i) => i);
    const parts = [
      { data, from: 0, to: 500 },
      { data, from: 500, to: 1000 },
    ];
    const out = await runInWorkers<(typeof parts)[0], { sum: number }>(task, 'sumSlice', parts, { threads: 2 });
    expect(out.map((o) => o.sum)).toEqual([124750, 374750]);
  });

  it('streams a shared copy: tasks posted before fill() read complete data', async () => {
    const data = Float64Array.from({ length: 300_000 }, (_, i) => i % 1000);
    const lease = shareTypedArray(data, true);
    const pending = runInWorkers<{ data: Float64Array; stream?: unknown }, { sum: number; shared: boolean }>(
      task,
      'sumStreamed',
      [{ data: lease.view, stream: lease.stream }],
      { threads: 1 },
    );
    lease.fill();
    const [out] = await pending;
    lease.release();
    expect(out).toEqual({ sum: 300 * 499500, shared: true });
  });

  it('a task waiting on an abandoned streamed copy fails instead of hanging', async () => {
    const lease = shareTypedArray(new Float64Array(300_000), true);
    const pending = runInWorkers(task, 'sumStreamed', [{ data: lease.view, stream: lease.stream }], { threads: 1 });
    lease.fillTo(1000);
    lease.release();
    const err = await pending.catch((e) => e);
    expect(isStagebookError(err, 'E_INTERNAL')).toBe(true);
    expect(err.message).toMatch(/abandoned/);
  });

  it('reuses a released shared buffer and passes shared input through', () => {
    const a = shareTypedArray(new Float64Array(1000).fill(1));
    const buffer = a.view.buffer;
    a.release();
    const b = shareTypedArray(new Float64Array(500).fill(2));
    expect(b.view.buffer).toBe(buffer);
    expect(Array.from(b.view.subarray(0, 3))).toEqual([2, 2, 2]);
    const inUse = shareTypedArray(new Float64Array(10));
    expect(inUse.view.buffer).not.toBe(buffer); // leased to b until released
    b.release();
    const shared = new Float64Array(new SharedArrayBuffer(80));
    expect(shareTypedArray(shared).view).toBe(shared);
  });

  it('turns a worker exception into a StagebookError with its code', async () => {
    const err = await runInWorkers(task, 'fail', [{}], { threads: 1 }).catch((e) => e);
    expect(isStagebookError(err, 'E_INVALID_ARGUMENT')).toBe(true);
    expect(err.message).toBe('boom');
    // The code union is closed: a code it does not know is not passed through as if it were one.
    const odd = await runInWorkers(task, 'failUnknownCode', [{}], { threads: 1 }).catch((e) => e);
    expect(isStagebookError(odd, 'E_INTERNAL')).toBe(true);
    expect(odd.message).toBe('odd');
  });
});
