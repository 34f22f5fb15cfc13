import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isStagebookError } from '../../errors/stagebook-error';
import { loadPunchConfig, parsePunchConfig } from './config';
import { nextCronTime, parseCron } from './cron';
import { createFlowExecutor } from './flow-executor';
import './in-process-executor';

function writeConfig(text: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'sb-punch-cfg-')), 'punch.yaml');
  writeFileSync(file, text);
  return file;
}

function errorOf(fn: () => unknown): Error & { code?: string } {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('punch.yaml', () => {
  it('fills the stated defaults and resolves root and database against the file', () => {
    const file = writeConfig('root: data\nflows:\n  level1: {}\n');
    const c = loadPunchConfig(file);
    expect(c.root).toBe(path.join(path.dirname(file), 'data'));
    expect(c.database).toBe(path.join(path.dirname(file), 'punch-control.db'));
    expect(c.control.launcher).toMatchObject({ max_weight_running: 30, max_flows_to_launch_at_once: 10 });
    expect(c.control.cleaner).toMatchObject({ fail_launched_flows_after_minutes: 30, schedule: '*/5 * * * *' });
    expect(c.flows.level1).toMatchObject({ enabled: true, launch_weight: 1, batch_size: 1, priority: { initial: 5 } });
    expect(c.flows.level2).toBeUndefined();
  });

  it('accepts max_flows_running as the older name, refuses both at once', () => {
    expect(
      parsePunchConfig({ root: 'r', control: { launcher: { max_flows_running: 7 } } }).control.launcher
        .max_weight_running,
    ).toBe(7);
    const file = writeConfig('root: r\ncontrol:\n  launcher:\n    max_weight_running: 3\n    max_flows_running: 4\n');
    expect(errorOf(() => loadPunchConfig(file)).message).toMatch(
      /punch\.yaml:5:\d+ control\.launcher\.max_flows_running: give/,
    );
  });

  it('refuses misspelt fields, non-boolean enabled, mismatched escalation and bad cron with file:line:col', () => {
    const file = writeConfig(
      'root: r\nflows:\n  level1:\n    enabled: yes please\n    priority: {initial: 1, seconds: [30], escalation: []}\n    schedule: "61 * * * *"\n  level9: {}\n',
    );
    const e = errorOf(() => loadPunchConfig(file));
    expect(isStagebookError(e) && e.code).toBe('E_CONFIG_INVALID');
    expect(e.message).toMatch(/punch\.yaml:4:\d+ flows\.level1\.enabled/);
    expect(e.message).toMatch(/punch\.yaml:5:\d+ flows\.level1\.priority\.escalation: seconds and escalation/);
    expect(e.message).toMatch(/punch\.yaml:6:\d+ flows\.level1\.schedule: cron '61 \* \* \* \*'/);
    expect(e.message).toMatch(/level9/);
  });

  it("checks each flow type's options where they are written", () => {
    const file = writeConfig(
      "root: r\nflows:\n  level1:\n    options: {despike: true}\n  level2:\n    options:\n      observatories: ['5']\n",
    );
    const e = errorOf(() => loadPunchConfig(file));
    expect(e.message).toMatch(/punch\.yaml:4:\d+ flows\.level1\.options: Unrecognized key: "despike"/);
    expect(e.message).toMatch(/punch\.yaml:7:\d+ flows\.level2\.options\.observatories\[0\]/);
  });

  it('refuses an unknown executor kind naming the field', () => {
    const e = errorOf(() => loadPunchConfig(writeConfig('root: r\nexecutor:\n  kind: slurm\n')));
    expect(e.message).toMatch(/punch\.yaml:3:\d+ executor\.kind: unknown executor kind/);
    const c = parsePunchConfig({ root: 'r' });
    // a config object built in code (not through the schema) with a kind no executor registered
    const slurm = { ...c, executor: { ...c.executor, kind: 'slurm' } } as unknown as typeof c;
    expect(() => createFlowExecutor(slurm)).toThrow(/executor\.kind 'slurm'/);
    expect(createFlowExecutor(c)).toBeDefined();
  });
});

describe('cron schedules', () => {
  const t0 = Date.UTC(2026, 0, 1, 10, 7, 30);
  it('fires at the next matching time (5 fields: minutes; 6 fields: seconds)', () => {
    expect(nextCronTime(parseCron('*/5 * * * *'), t0)).toBe(Date.UTC(2026, 0, 1, 10, 10, 0));
    expect(nextCronTime(parseCron('* * * * *'), t0)).toBe(Date.UTC(2026, 0, 1, 10, 8, 0));
    expect(nextCronTime(parseCron('*/2 * * * * *'), t0)).toBe(Date.UTC(2026, 0, 1, 10, 7, 32));
    expect(nextCronTime(parseCron('0 3 * * 1'), t0)).toBe(Date.UTC(2026, 0, 5, 3, 0, 0)); // next Monday
    expect(nextCronTime(parseCron('0 0 1 * 1-5'), t0)).toBe(Date.UTC(2026, 0, 2, 0, 0, 0)); // dom OR dow
  });
  it('refuses bad fields naming them', () => {
    expect(() => parseCron('* * *')).toThrow(/5 fields/);
    expect(() => parseCron('*/0 * * * *')).toThrow(/minute/);
    expect(() => parseCron('0 0 30 2 *')).not.toThrow();
    expect(() => nextCronTime(parseCron('0 0 30 2 *'), t0)).toThrow(/never fires/);
  });
});
