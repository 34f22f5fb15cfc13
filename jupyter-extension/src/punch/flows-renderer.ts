/**
 * MIME renderer for `application/vnd.stagebook.punch-flows.v1+json` (kernel-lib
 * pipelines/punch/flow-list.ts, `punch.showFlows(db)`): the flows of a PUNCH control database as a
 * list: counts per level, type and state, then the newest flows with their state and error.
 * Safe: text nodes only, so untrusted notebooks show it too. Kept apart from the progress panel.
 */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Widget } from '@lumino/widgets';

export const PUNCH_FLOWS_MIME = 'application/vnd.stagebook.punch-flows.v1+json';

interface FlowRow {
  flow_id: number;
  flow_level: string;
  flow_type: string;
  state: string;
  priority: number;
  is_backprocessing: number;
  creation_time: number;
  error: string | null;
}

interface FlowListPayload {
  version: 1;
  database: string;
  counts: Array<{ flow_level: string; flow_type: string; state: string; n: number }>;
  flows: FlowRow[];
  total: number;
}

/** Checks the payload's shape (the kernel may run another stagebook version). */
export function parseFlowList(raw: unknown): FlowListPayload | string {
  const p = raw as Partial<FlowListPayload> | null;
  if (!p || typeof p !== 'object') return 'not an object';
  if (p.version !== 1) return `unknown version ${String(p.version)}`;
  if (
    typeof p.database !== 'string' ||
    !Array.isArray(p.counts) ||
    !Array.isArray(p.flows) ||
    typeof p.total !== 'number'
  )
    return 'missing database, counts, flows or total';
  return p as FlowListPayload;
}

function el(tag: string, text?: string, className?: string): HTMLElement {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (className) e.className = className;
  return e;
}

function table(header: string[], rows: string[][], className: string): HTMLElement {
  const t = el('table', undefined, className);
  const tr = el('tr');
  for (const h of header) tr.append(el('th', h));
  t.append(tr);
  for (const r of rows) {
    const row = el('tr');
    for (const c of r) row.append(el('td', c));
    t.append(row);
  }
  return t;
}

function errorText(e: string | null): string {
  if (!e) return '';
  try {
    const j = JSON.parse(e) as { code?: string; message?: string };
    return `${j.code ?? ''} ${j.message ?? ''}`.trim();
  } catch {
    return e;
  }
}

export class RenderedFlowList extends Widget implements IRenderMime.IRenderer {
  constructor(private readonly mimeType: string) {
    super();
    this.addClass('sb-punch-flows');
  }

  renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const p = parseFlowList(model.data[this.mimeType]);
    if (typeof p === 'string') {
      this.node.replaceChildren(el('div', `stagebook flow list not understood: ${p}`, 'sb-punch-flows-invalid'));
      return Promise.resolve();
    }
    const title = el('div', `${p.flows.length} of ${p.total} flows — ${p.database}`, 'sb-punch-flows-title');
    const counts = table(
      ['level', 'type', 'state', 'flows'],
      p.counts.map((c) => [c.flow_level, c.flow_type, c.state, String(c.n)]),
      'sb-punch-flows-counts',
    );
    const flows = table(
      ['flow', 'level', 'type', 'state', 'priority', 'back-processing', 'created', 'error'],
      p.flows.map((f) => [
        String(f.flow_id),
        f.flow_level,
        f.flow_type,
        f.state,
        String(f.priority),
        f.is_backprocessing ? 'yes' : '',
        new Date(f.creation_time).toISOString(),
        errorText(f.error),
      ]),
      'sb-punch-flows-list',
    );
    flows.querySelectorAll('tr').forEach((tr, i) => {
      if (i > 0) tr.dataset.state = p.flows[i - 1].state;
    });
    this.node.replaceChildren(title, counts, flows);
    return Promise.resolve();
  }
}

/** Ranked before text/html (50): the HTML twin is the fallback elsewhere. */
export const flowListRendererFactory: IRenderMime.IRendererFactory = {
  safe: true,
  mimeTypes: [PUNCH_FLOWS_MIME],
  defaultRank: 40,
  createRenderer: (options) => new RenderedFlowList(options.mimeType),
};
