import { describe, expect, it } from 'vitest';
import type { NotebookOutput } from './nbformat';
import { OutputCollector } from './outputs';
import type { JupyterMessage } from './wire';

const msg = (msg_type: string, content: Record<string, unknown>): JupyterMessage =>
  ({ header: { msg_type }, parent_header: {}, metadata: {}, content }) as unknown as JupyterMessage;

describe('OutputCollector per-cell cap', () => {
  it('keeps the first N characters of a cell, drops the rest and says so in a visible note', () => {
    const c = new OutputCollector(1000);
    const limits: number[] = [];
    c.onTruncate = (l) => limits.push(l);
    const outputs: NotebookOutput[] = [];
    c.begin(outputs);
    for (let i = 0; i < 5; i++) c.apply(msg('stream', { name: 'stdout', text: 'x'.repeat(400) }));
    c.apply(msg('display_data', { data: { 'text/plain': 'y'.repeat(5000) }, metadata: {} }));
    expect(outputs).toHaveLength(2);
    expect(outputs[0]).toMatchObject({ output_type: 'stream', name: 'stdout' });
    expect(String(outputs[0].text)).toHaveLength(1000);
    expect(outputs[1]).toMatchObject({ output_type: 'stream', name: 'stderr' });
    expect(String(outputs[1].text)).toMatch(
      /output truncated: this cell's output exceeded 1000 characters; \d+ more characters were dropped/,
    );
    expect(c.droppedChars).toBe(1000 + JSON.stringify({ 'text/plain': 'y'.repeat(5000) }).length);
    expect(limits).toEqual([1000]);
    // the next cell starts with a fresh budget
    const next: NotebookOutput[] = [];
    c.begin(next);
    c.apply(msg('stream', { name: 'stdout', text: 'ok\n' }));
    expect(next).toEqual([{ output_type: 'stream', name: 'stdout', text: 'ok\n' }]);
    expect(c.droppedChars).toBe(0);
  });
});
