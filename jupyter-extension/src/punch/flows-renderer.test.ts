import { describe, expect, it } from 'vitest';
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { PUNCH_FLOWS_MIME, RenderedFlowList, flowListRendererFactory, parseFlowList } from './flows-renderer';

const mimeModel = (data: Record<string, unknown>): IRenderMime.IMimeModel =>
  ({ trusted: false, data, metadata: {}, setData: () => undefined }) as unknown as IRenderMime.IMimeModel;

const payload = {
  version: 1,
  database: '/tmp/control.db',
  generatedAt: '2026-01-01T00:00:00.000Z',
  counts: [
    { flow_level: '1', flow_type: 'level1', state: 'completed', n: 3 },
    { flow_level: '1', flow_type: 'level1', state: 'failed', n: 1 },
  ],
  flows: [
    {
      flow_id: 4,
      flow_level: '1',
      flow_type: 'level1',
      state: 'failed',
      priority: 5,
      is_backprocessing: 1,
      creation_time: 0,
      launch_time: 1,
      start_time: 2,
      end_time: 3,
      error: '{"code":"E_FITS_TRUNCATED","message":"<b>cut</b>"}',
    },
    {
      flow_id: 3,
      flow_level: '1',
      flow_type: 'level1',
      state: 'completed',
      priority: 7,
      is_backprocessing: 0,
      creation_time: 0,
      launch_time: 1,
      start_time: 2,
      end_time: 3,
      error: null,
    },
  ],
  total: 4,
};

function render(data: unknown): RenderedFlowList {
  const r = flowListRendererFactory.createRenderer({
    mimeType: PUNCH_FLOWS_MIME,
    sanitizer: {} as never,
    resolver: null,
    linkHandler: null,
    latexTypesetter: null,
  }) as RenderedFlowList;
  void r.renderModel(mimeModel({ [PUNCH_FLOWS_MIME]: data }));
  return r;
}

describe('PUNCH flow list renderer', () => {
  it('lists counts and flows with their state and error, as text (never HTML)', () => {
    const r = render(payload);
    expect(r.node.querySelector('.sb-punch-flows-title')!.textContent).toBe('2 of 4 flows — /tmp/control.db');
    expect(r.node.querySelectorAll('.sb-punch-flows-counts tr')).toHaveLength(3);
    const rows = [...r.node.querySelectorAll<HTMLTableRowElement>('.sb-punch-flows-list tr')].slice(1);
    expect(rows.map((tr) => tr.dataset.state)).toEqual(['failed', 'completed']);
    expect(rows[0].cells[5].textContent).toBe('yes');
    expect(rows[0].cells[7].textContent).toBe('E_FITS_TRUNCATED <b>cut</b>');
    expect(r.node.querySelector('b')).toBeNull();
  });

  it('says what is wrong with a payload it does not understand', () => {
    expect(parseFlowList({ version: 2 })).toBe('unknown version 2');
    expect(render({ version: 1 }).node.textContent).toContain('missing database, counts, flows or total');
  });
});
