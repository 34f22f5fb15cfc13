/**
 * The run-record side panel: for the active executed notebook, its run record (status, parameters with the
 * overridden ones marked, versions, input files with their sha256) and a Reproduce button that runs
 * `stagebook notebook reproduce` through the kernel and shows the verdict with the differing cells. Text goes
 * through textContent only (values come from the notebook).
 */
import { Widget } from '@lumino/widgets';
import { el } from '../progress/run-view';
import type { RecordModel, ReproduceState } from './model';
import { parameterRows, type ReproduceOutcome, type RunRecordView } from './record';

export const RECORD_PANEL_CLASS = 'sb-record-panel';

export interface RunRecordPanelOptions {
  model: RecordModel;
  /** Runs the reproduction of a notebook (index.ts: through its kernel). */
  onReproduce: (notebookId: string) => void;
}

const VERDICT_COLOUR: Record<string, string> = {
  reproduced: 'var(--jp-success-color1, #388e3c)',
  'reproduced within tolerance': 'var(--jp-success-color1, #388e3c)',
  differs: 'var(--jp-error-color1, #d32f2f)',
};

export class RunRecordPanel extends Widget {
  readonly model: RecordModel;
  private readonly onReproduce: (notebookId: string) => void;

  constructor(options: RunRecordPanelOptions) {
    super();
    this.model = options.model;
    this.onReproduce = options.onReproduce;
    this.addClass(RECORD_PANEL_CLASS);
    this.node.style.overflow = 'auto';
    this.node.style.padding = '8px';
    this.model.changed.connect(this.onChanged, this);
    this.render();
  }

  dispose(): void {
    if (this.isDisposed) return;
    this.model.changed.disconnect(this.onChanged, this);
    super.dispose();
  }

  private onChanged(_: RecordModel, id: string | null): void {
    if (id === null || id === this.model.activeNotebookId) this.render();
  }

  /** Redraws from the model (also used by tests). */
  render(): void {
    const id = this.model.activeNotebookId;
    const nb = id ? this.model.get(id) : undefined;
    const parts: HTMLElement[] = [el('div', 'sb-panel-title', 'Run record')];
    if (!id || !nb) parts.push(el('div', 'sb-panel-empty', 'Open an executed notebook to see its run record.'));
    else if (!nb.record) parts.push(el('div', 'sb-panel-empty', nb.problem ?? 'No run record.'));
    else parts.push(...this.recordView(id, nb.record, nb.reproduce));
    this.node.replaceChildren(...parts);
  }

  private recordView(id: string, r: RunRecordView, rep: ReproduceState): HTMLElement[] {
    const summary = el(
      'div',
      'sb-record-summary',
      `${r.status} · ${r.start}${r.duration_ms !== undefined ? ` · ${(r.duration_ms / 1000).toFixed(1)} s` : ''}`,
    );
    const params = table(
      'Parameters',
      parameterRows(r).map((p) => [p.injected ? `${p.name} *` : p.name, p.value]),
      'sb-record-parameters',
    );
    const versions = table(
      'Versions',
      Object.entries(r.versions).map(([k, v]) => [k, shortHash(v ?? '-')]),
      'sb-record-versions',
    );
    const inputs = table(
      'Inputs',
      Object.entries(r.input_files ?? {}).map(([k, f]) => [k, `${f.path} (sha256 ${f.sha256.slice(0, 12)}…)`]),
      'sb-record-inputs',
    );
    const button = document.createElement('button');
    button.className = 'jp-mod-styled jp-mod-accept sb-reproduce-button';
    button.textContent = rep.state === 'running' ? 'Reproducing…' : 'Reproduce';
    button.disabled = rep.state === 'running';
    button.title =
      'Re-run this notebook with its recorded parameters and compare every output (stagebook notebook reproduce)';
    button.addEventListener('click', () => this.onReproduce(id));
    return [summary, params, versions, inputs, button, ...verdictView(rep)];
  }
}

function shortHash(v: string): string {
  return /^[0-9a-f]{64}$/.test(v) ? `${v.slice(0, 12)}…` : v;
}

function table(title: string, rows: string[][], className: string): HTMLElement {
  const box = el('div', className);
  box.append(el('div', 'sb-record-heading', title));
  const t = document.createElement('table');
  for (const row of rows) {
    const tr = document.createElement('tr');
    for (const cell of row) tr.append(el('td', '', cell));
    t.append(tr);
  }
  if (rows.length === 0) box.append(el('div', 'sb-panel-note', 'none'));
  else box.append(t);
  return box;
}

function verdictView(rep: ReproduceState): HTMLElement[] {
  if (rep.state !== 'done') return [];
  const outcome: ReproduceOutcome = rep;
  const box = el('div', 'sb-reproduce-result');
  if ('error' in outcome) {
    box.dataset.verdict = 'error';
    box.append(el('div', 'sb-panel-warning', `${outcome.error.code}: ${outcome.error.message}`));
    return [box];
  }
  const v = outcome.verdict;
  box.dataset.verdict = v.verdict;
  const head = el('div', 'sb-reproduce-verdict', v.verdict);
  head.style.color = VERDICT_COLOUR[v.verdict] ?? '';
  head.style.fontWeight = 'bold';
  box.append(head);
  if (v.status.expected !== v.status.actual)
    box.append(el('div', '', `run status: recorded ${v.status.expected}, now ${v.status.actual}`));
  for (const p of v.parameters) box.append(el('div', '', `${p.where}: ${p.expected} → ${p.actual}`));
  for (const c of v.cells) {
    const d = c.differences[0];
    box.append(
      el(
        'div',
        'sb-reproduce-cell',
        `cell ${c.ordinal} ${c.agreement}${d ? `: ${d.where}: ${d.expected} → ${d.actual}` : ''}`,
      ),
    );
  }
  for (const p of v.products) box.append(el('div', 'sb-reproduce-product', `product ${p.parameter}/${p.file} differs`));
  if (v.report) box.append(el('div', 'sb-panel-note', `report: ${v.report}`));
  return [box];
}
