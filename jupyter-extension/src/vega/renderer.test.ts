import { afterEach, describe, expect, it } from 'vitest';
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { VEGALITE6_MIME } from '../constants';
import { DEFAULT_SETTINGS, rendererSettings } from '../settings';
import { RenderedVega, embedOptions, vegaRendererFactory } from './renderer';

const model = (spec: unknown): IRenderMime.IMimeModel =>
  ({
    trusted: true,
    data: { [VEGALITE6_MIME]: spec },
    metadata: {},
    setData: () => undefined,
  }) as unknown as IRenderMime.IMimeModel;
const spec = {
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  title: 'g2 of q bin 1',
  data: {
    values: [
      { tau: 1, g2: 1.3 },
      { tau: 2, g2: 1.2 },
      { tau: 4, g2: 1.05 },
    ],
  },
  mark: 'point',
  encoding: { x: { field: 'tau', type: 'quantitative' }, y: { field: 'g2', type: 'quantitative' } },
};
const waitFor = async (cond: () => boolean, ms = 5000): Promise<void> => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('Vega-Lite v6 renderer (real vega-embed 7 / vega 6 in jsdom)', () => {
  afterEach(() => {
    document.body.removeAttribute('data-jp-theme-light');
    rendererSettings.update(DEFAULT_SETTINGS.vega);
  });

  it('draws the spec as SVG with one symbol per datum, with the export menu', async () => {
    const r = new RenderedVega(VEGALITE6_MIME);
    await r.renderModel(model(spec));
    const svg = r.node.querySelector('.vega-embed svg');
    expect(svg).not.toBeNull();
    expect(r.node.querySelectorAll('path[aria-roledescription="point"]').length).toBe(3);
    expect(r.node.querySelector('.vega-actions a[download$=".svg"], .vega-actions')).not.toBeNull();
    r.dispose();
  });

  it('re-renders when JupyterLab switches to a dark theme and when settings change', async () => {
    const r = new RenderedVega(VEGALITE6_MIME);
    await r.renderModel(model(spec));
    const first = r.node.querySelector('.vega-embed');
    document.body.dataset.jpThemeLight = 'false';
    await waitFor(() => r.node.querySelector('.vega-embed') !== first);
    const dark = r.node.querySelector('.vega-embed')!;
    rendererSettings.update({ ...DEFAULT_SETTINGS.vega, actions: false });
    await waitFor(() => r.node.querySelector('.vega-embed') !== dark);
    expect(r.node.querySelector('.vega-actions')).toBeNull();
    r.dispose();
  });

  it('shows a bad spec as an error in the output instead of throwing', async () => {
    const r = new RenderedVega(VEGALITE6_MIME);
    await r.renderModel(
      model({ mark: 'point', encoding: { x: { field: 'a', type: 'nonsense' } }, data: { values: [{ a: 1 }] } }),
    );
    await r.renderModel(model([1, 2]));
    expect(r.node.querySelector('.sb-vega-error')!.textContent).toMatch(
      /Plot could not be drawn: expected a Vega-Lite spec object/,
    );
    r.dispose();
  });

  it('maps settings and theme to vega-embed options', () => {
    document.body.dataset.jpThemeLight = 'false';
    const o = embedOptions(
      true,
      { renderer: 'canvas', actions: true, tooltips: false, zoomPan: true },
      'Two-time C(t1, t2)',
    );
    expect(o).toMatchObject({
      mode: 'vega-lite',
      renderer: 'canvas',
      theme: 'dark',
      tooltip: false,
      downloadFileName: 'Two-time_C_t1_t2_',
    });
    expect(o.actions).toEqual({ export: { svg: true, png: true }, source: false, compiled: false, editor: false });
    document.body.dataset.jpThemeLight = 'true';
    expect(embedOptions(true, DEFAULT_SETTINGS.vega, undefined).theme).toBeUndefined();
  });

  it("outranks JupyterLab's vega5 renderer (rank 57) and the SVG twin", () => {
    expect(vegaRendererFactory.defaultRank).toBeLessThan(57);
    expect(vegaRendererFactory.mimeTypes).toContain('application/vnd.vegalite.v6+json');
  });
});
