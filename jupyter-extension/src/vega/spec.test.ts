import { describe, expect, it } from 'vitest';
import { canZoomPan, enhanceVegaLiteSpec, type JsonObject } from './spec';

const scatter: JsonObject = {
  mark: 'point',
  encoding: {
    x: { field: 'tau', type: 'quantitative', scale: { type: 'log' } },
    y: { field: 'g2', type: 'quantitative' },
  },
};
const all = { tooltips: true, zoomPan: true };

describe('interactive touches to a Vega-Lite spec', () => {
  it('adds tooltips and a scale-bound interval to a continuous x/y view, without touching the input', () => {
    const before = JSON.stringify(scatter);
    const out = enhanceVegaLiteSpec(scatter, all);
    expect(JSON.stringify(scatter)).toBe(before);
    expect(out.mark).toEqual({ type: 'point', tooltip: true });
    expect(out.params).toEqual([
      { name: 'sb_zoom_pan', select: { type: 'interval', encodings: ['x', 'y'] }, bind: 'scales' },
    ]);
  });

  it('respects what the spec decides: an explicit tooltip, an existing scale binding', () => {
    const own = enhanceVegaLiteSpec(
      {
        ...scatter,
        mark: { type: 'line', tooltip: false },
        params: [{ name: 'z', select: 'interval', bind: 'scales' }],
      },
      all,
    );
    expect(own.mark).toEqual({ type: 'line', tooltip: false });
    expect(own.params).toHaveLength(1);
    const enc = enhanceVegaLiteSpec(
      { ...scatter, encoding: { ...(scatter.encoding as JsonObject), tooltip: [{ field: 'q' }] } },
      all,
    );
    expect(enc.mark).toBe('point');
  });

  it('leaves zoom off binned, ordinal and facetted views (nothing to zoom, or unsupported by vega-lite)', () => {
    expect(
      canZoomPan({
        mark: 'bar',
        encoding: {
          x: { field: 'a', type: 'quantitative', bin: true },
          y: { aggregate: 'count', type: 'quantitative' },
        },
      }),
    ).toBe(false);
    expect(
      canZoomPan({
        mark: 'rect',
        encoding: { x: { field: 'i', type: 'ordinal' }, y: { field: 'j', type: 'ordinal' } },
      }),
    ).toBe(false);
    expect(
      canZoomPan({
        mark: 'arc',
        encoding: { x: { field: 'a', type: 'quantitative' }, y: { field: 'b', type: 'quantitative' } },
      }),
    ).toBe(false);
    const facet = enhanceVegaLiteSpec({ facet: { field: 'q', type: 'nominal' }, spec: scatter }, all);
    expect(facet.params).toBeUndefined();
    expect((facet.spec as JsonObject).params).toBeUndefined();
    expect((facet.spec as JsonObject).mark).toEqual({ type: 'point', tooltip: true }); // tooltips still reach inner views
  });

  it('binds the scales of a layer through its first continuous unit layer, with shared encodings inherited', () => {
    const layered = enhanceVegaLiteSpec(
      {
        encoding: { x: { field: 't', type: 'quantitative' }, y: { field: 'v', type: 'quantitative' } },
        layer: [{ mark: 'rule', encoding: { y: { datum: 1 } } }, { mark: 'line' }, { mark: 'point' }],
      },
      all,
    );
    const layers = layered.layer as JsonObject[];
    expect(layers[0].params).toBeUndefined(); // y is a datum, not a field type: skipped
    expect(layers[1].params).toHaveLength(1);
    expect(layers[2].params).toBeUndefined();
    expect(layers.map((l) => (l.mark as JsonObject).tooltip)).toEqual([true, true, true]);
  });

  it('does nothing when both touches are off', () => {
    expect(enhanceVegaLiteSpec(scatter, { tooltips: false, zoomPan: false })).toEqual(scatter);
  });
});
