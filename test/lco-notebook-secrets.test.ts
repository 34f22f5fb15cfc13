/**
 * The archive token never reaches a notebook's outputs: the LCO notebook runs headless against the
 * local archive with a known token in the kernel's environment, then the executed notebook, the
 * runner's JSONL event stream and every file of the workspace (ledger, logs, configs, data) are
 * searched for it (issue: "the token never appears in logs, errors, the ledger or notebook outputs").
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = join(__dirname, '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runNotebook } = require(
  join(repo, 'kernel-lib', 'dist', 'notebook'),
) as typeof import('../kernel-lib/src/notebook');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** Runs a one-cell notebook that reports whether the kernel sees SB_TEST_LCO_TOKEN with our value. */
async function runNotebookProbe(dir: string, token: string): Promise<string> {
  const { writeFileSync } = await import('node:fs');
  // Not in notebooks/: other tests enumerate that folder concurrently.
  const nb = join(repo, 'test', 'fixtures', 'notebooks', `.probe-env-${process.pid}.ipynb`);
  const cell = {
    cell_type: 'code',
    id: 'p1',
    metadata: {},
    execution_count: null,
    outputs: [],
    source: [`console.log(process.env.SB_TEST_LCO_TOKEN === ${JSON.stringify(token)} ? "set" : "unset");`],
  };
  writeFileSync(nb, JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [cell] }));
  try {
    const out = join(dir, 'probe.ipynb');
    await runNotebook({ input: nb, output: out, env: { SB_TEST_LCO_TOKEN: token }, cellTimeoutMs: 60_000 });
    const executed = JSON.parse(readFileSync(out, 'utf8'));
    return executed.cells[0].outputs
      .map((o: { text?: string | string[] }) => ([] as string[]).concat(o.text ?? []).join(''))
      .join('')
      .trim();
  } finally {
    (await import('node:fs')).rmSync(nb, { force: true });
  }
}

describe('LCO notebook and secrets', () => {
  it('runs with a token from the environment and leaves it nowhere', async () => {
    const token = `sbtok-${randomBytes(12).toString('hex')}`;
    const dir = mkdtempSync(join(tmpdir(), 'sb-lco-secret-'));
    const workspace = join(dir, 'ws');
    const output = join(dir, 'executed.ipynb');
    const eventsFile = join(dir, 'events.jsonl');
    const r = await runNotebook({
      input: join(repo, 'notebooks', 'lco-data-management.ipynb'),
      output,
      eventsFile,
      parameters: { workspace, tokenEnvVar: 'SB_TEST_LCO_TOKEN' },
      env: { SB_TEST_LCO_TOKEN: token },
      cellTimeoutMs: 120_000,
    });
    expect(r.status, JSON.stringify(r.error)).toBe('succeeded');
    const searched = [output, eventsFile, ...filesUnder(workspace)];
    expect(searched.length).toBeGreaterThan(5);
    // the ledger must be among them (a real SQLite file)
    expect(searched.some((f) => f.endsWith('.db'))).toBe(true);
    for (const f of searched) {
      expect(readFileSync(f).includes(Buffer.from(token)), `token found in ${f}`).toBe(false);
    }
    // and the notebook really used it: frames were sorted into the reduction tree, and the kernel saw
    // the variable (the notebook only invents a demo token when the variable is absent)
    expect(filesUnder(join(workspace, 'reduction')).some((f) => f.endsWith('.fits'))).toBe(true);
    const probe = await runNotebookProbe(dir, token);
    expect(probe).toBe('set');
  });
});
