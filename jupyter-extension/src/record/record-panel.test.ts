import { Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProgressPayload } from 'stagebook/progress-schema';
import { ProgressModel } from '../progress/model';
import { StageProgressPanel } from '../progress/panel';
import { reproduceCode, reproduceInKernel, RESULT_MARKER, type KernelExecLike } from './kernel-reproduce';
import type { RunRecordPanel } from './panel';
import { parseRunRecord } from './record';
import { connectRecordPanel, type RecordNotebookLike, type RecordTrackerLike } from './wire';

const RECORD = {
  runner: 'stagebook notebook run',
  status: 'succeeded',
  start: '2026-12-07T13:58:59.673Z',
  duration_ms: 5203,
  versions: { stagebook: '0.1.0', wasm_core: 'a'.repeat(64), node: 'v20.20.2', tslab: '1.0.22', typescript: '5.0.4' },
  parameters: { defaults: { thresholdRel: 0.9, outDir: '../out/apf' }, injected: { outDir: '/tmp/apf' } },
  input_hashes: { notebook: 'b'.repeat(64) },
  input_files: { image: { path: 'data/aia.fits', sha256: 'c'.repeat(64), size: 1054080 } },
  ledger_run_ids: [],
};

/** A kernel that answers execute requests with the stdout a real reproduction prints. */
class FakeKernel implements KernelExecLike {
  codes: string[] = [];
  private release: () => void = () => undefined;
  constructor(private readonly stdout: string) {}
  requestExecute(content: { code: string }): {
    onIOPub: (msg: { header: { msg_type: string }; content: unknown }) => void;
    done: Promise<unknown>;
  } {
    this.codes.push(content.code);
    const future = {
      onIOPub: (_msg: { header: { msg_type: string }; content: unknown }) => undefined as void,
      done: new Promise<unknown>((resolve) => (this.release = () => resolve({}))),
    };
    // the reply arrives after the caller has attached onIOPub (as with a real kernel)
    queueMicrotask(() => {
      future.onIOPub({ header: { msg_type: 'stream' }, content: { name: 'stdout', text: 'other output\n' } });
      future.onIOPub({ header: { msg_type: 'stream' }, content: { name: 'stdout', text: this.stdout } });
    });
    return future;
  }
  finish(): void {
    this.release();
  }
}

class FakeNb implements RecordNotebookLike {
  readonly disposed = new Signal<this, void>(this);
  readonly metadataChanged = new Signal<this, unknown>(this);
  meta: Record<string, unknown> = {};
  readonly context = { path: 'work/apf.ipynb', ready: Promise.resolve() };
  readonly content = { model: { getMetadata: (k: string) => this.meta[k], metadataChanged: this.metadataChanged } };
  readonly sessionContext: { session: { kernel: unknown } | null };
  constructor(
    readonly id: string,
    kernel: KernelExecLike | null,
  ) {
    this.sessionContext = { session: { kernel } };
  }
}

class FakeTracker implements RecordTrackerLike<FakeNb> {
  readonly widgetAdded = new Signal<this, FakeNb>(this);
  readonly currentChanged = new Signal<this, FakeNb | null>(this);
  currentWidget: FakeNb | null = null;
  private readonly all: FakeNb[] = [];
  forEach(fn: (p: FakeNb) => void): void {
    this.all.forEach(fn);
  }
  add(nb: FakeNb): void {
    this.all.push(nb);
    this.widgetAdded.emit(nb);
    this.currentWidget = nb;
    this.currentChanged.emit(nb);
  }
}

const tick = () => new Promise((r) => setTimeout(r, 0));
const text = (w: Widget, sel: string): string[] => [...w.node.querySelectorAll(sel)].map((n) => n.textContent ?? '');

describe('run-record panel', () => {
  let panel: RunRecordPanel | null = null;
  afterEach(() => {
    panel?.dispose();
    panel = null;
  });

  function open(kernel: KernelExecLike | null, meta: unknown = RECORD): { nb: FakeNb; tracker: FakeTracker } {
    const tracker = new FakeTracker();
    panel = connectRecordPanel(tracker);
    Widget.attach(panel, document.body);
    const nb = new FakeNb('nb1', kernel);
    nb.meta = { stagebook: meta };
    tracker.add(nb);
    return { nb, tracker };
  }

  it("shows an opened executed notebook's record: parameters (overrides marked), versions, inputs", async () => {
    open(null);
    await tick();
    expect(text(panel!, '.sb-record-summary')[0]).toBe('succeeded · 2026-12-07T13:58:59.673Z · 5.2 s');
    expect(text(panel!, '.sb-record-parameters td')).toEqual(['thresholdRel', '0.9', 'outDir *', '"/tmp/apf"']);
    expect(text(panel!, '.sb-record-versions td')).toContain(`${'a'.repeat(12)}…`);
    expect(text(panel!, '.sb-record-inputs td')).toEqual(['image', `data/aia.fits (sha256 ${'c'.repeat(12)}…)`]);
  });

  it('says why when the notebook has no usable record, and follows metadata changes', async () => {
    const { nb } = open(null, null);
    await tick();
    expect(text(panel!, '.sb-panel-empty')[0]).toMatch(/no run record/);
    nb.meta = { stagebook: { ...RECORD, versions: 3 } };
    nb.metadataChanged.emit(undefined);
    expect(text(panel!, '.sb-panel-empty')[0]).toMatch(/^metadata\.stagebook\.versions: /);
    expect(parseRunRecord(RECORD)).toHaveProperty('record');
  });

  it('Reproduce runs the reproduction through the kernel and shows the verdict with the differing cell', async () => {
    const result = {
      verdict: 'differs',
      report: '/w/apf.reproduce.ipynb',
      rtol: 1e-9,
      status: { expected: 'succeeded', actual: 'succeeded' },
      parameters: [],
      cells: [
        {
          ordinal: 3,
          agreement: 'differs',
          differences: [{ where: 'output 1 (text/plain)', expected: '208.8', actual: '208.9' }],
        },
      ],
      products: [{ parameter: 'outDir', file: 'peaks.json' }],
    };
    const kernel = new FakeKernel(`${RESULT_MARKER}${JSON.stringify(result)}\n`);
    open(kernel);
    await tick();
    panel!.node.querySelector<HTMLButtonElement>('.sb-reproduce-button')!.click();
    expect(panel!.node.querySelector<HTMLButtonElement>('.sb-reproduce-button')!.disabled).toBe(true);
    expect(kernel.codes[0]).toContain('record: "apf.ipynb"'); // the kernel runs in the notebook's directory
    await tick();
    kernel.finish();
    await tick();
    expect(text(panel!, '.sb-reproduce-verdict')).toEqual(['differs']);
    expect(text(panel!, '.sb-reproduce-cell')).toEqual(['cell 3 differs: output 1 (text/plain): 208.8 → 208.9']);
    expect(text(panel!, '.sb-reproduce-product')).toEqual(['product outDir/peaks.json differs']);
    expect(panel!.node.querySelector<HTMLButtonElement>('.sb-reproduce-button')!.disabled).toBe(false);
  });

  it('shows a refused reproduction (version mismatch) as an error, and no kernel as an error', async () => {
    const err = { error: { code: 'E_REPRO_VERSION', message: 'stagebook recorded 0.0.9, current 0.1.0' } };
    const k = new FakeKernel(`${RESULT_MARKER}${JSON.stringify(err)}\n`);
    const p = reproduceInKernel(k, 'a.ipynb');
    await tick();
    k.finish();
    expect(await p).toEqual(err);
    open(null);
    await tick();
    panel!.node.querySelector<HTMLButtonElement>('.sb-reproduce-button')!.click();
    expect(text(panel!, '.sb-panel-warning')[0]).toMatch(/^E_KERNEL: no kernel/);
  });

  it('generates a cell whose names stay in a block (tslab refuses a second const of one name)', () => {
    const code = reproduceCode('dir with "quotes".ipynb');
    expect(code.startsWith('{')).toBe(true);
    expect(code).toContain('record: "dir with \\"quotes\\".ipynb"');
    expect(code).toContain('output: "dir with \\"quotes\\".reproduce.ipynb"');
  });
});

describe('stage-progress panel: a partial run', () => {
  it('shows `partial` distinctly instead of rolling it up as failed', () => {
    const model = new ProgressModel();
    const panel = new StageProgressPanel({ model });
    Widget.attach(panel, document.body);
    const at = new Date(Date.UTC(2026, 11, 7, 12)).toISOString();
    const payload: ProgressPayload = {
      version: 1,
      runId: 'r1',
      pipeline: 'lco',
      state: 'failed',
      outcome: 'partial',
      startedAt: at,
      updatedAt: at,
      stages: [
        { name: 'download', state: 'failed', n: 25, total: 26 },
        { name: 'sort', state: 'succeeded' },
      ],
    };
    model.setPath('nb', 'lco.ipynb');
    model.activeNotebookId = 'nb';
    model.apply('nb', payload);
    panel.renderNow();
    const card = panel.node.querySelector<HTMLElement>('.sb-run')!;
    expect(card.dataset.state).toBe('partial');
    expect(card.querySelector('.sb-run-state')!.textContent).toBe('partial');
    expect(card.querySelector<HTMLElement>('.sb-run-state')!.style.color).toContain('--jp-warn-color1');
    expect(panel.node.querySelector('.sb-panel-notebook')!.textContent).toBe('lco.ipynb · 1 run · 1 partial');
    // the failed stage itself still shows failed
    expect(card.querySelector<HTMLElement>('.sb-stage[data-stage="download"]')!.dataset.state).toBe('failed');
    panel.dispose();
  });
});
