/**
 * Interactive touches added to a Vega-Lite spec before it is drawn (never to the stored output):
 *  - tooltips: `mark.tooltip: true` on every unit view that does not decide for itself
 *    (vega-lite "tooltip": true shows the encoded fields; vega-embed supplies the handler);
 *  - zoom/pan: an interval selection bound to the scales (vega-lite docs, "Bind a Selection to
 *    Scales") on single views and layers whose x and y are both continuous and unbinned. Facets,
 *    concatenations and repeats are left alone: vega-lite cannot bind scales across their
 *    sub-views, and a binned or ordinal axis (histograms, heatmap cells) has nothing to zoom.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface SpecEnhancements {
  tooltips: boolean;
  zoomPan: boolean;
}

const ZOOM_PARAM = 'sb_zoom_pan';
const NO_ZOOM_MARKS = new Set(['arc', 'image', 'text', 'geoshape']);

/** A copy of `spec` with tooltips and zoom/pan added where they make sense. */
export function enhanceVegaLiteSpec(spec: JsonObject, options: SpecEnhancements): JsonObject {
  const copy = structuredClone(spec) as JsonObject;
  if (options.tooltips) addTooltips(copy);
  if (options.zoomPan) addZoomPan(copy);
  return copy;
}

/** Whether a view (unit or layer) gets the zoom/pan binding. */
export function canZoomPan(view: JsonObject): boolean {
  if (hasScaleBinding(view)) return false;
  if (Array.isArray(view.layer))
    return view.layer.some((l) => isObject(l) && isUnit(l) && continuousXY(l, view.encoding));
  return isUnit(view) && continuousXY(view, undefined);
}

function addZoomPan(spec: JsonObject): void {
  if (!canZoomPan(spec)) return;
  // in a layer the binding lives in one unit layer and applies to the shared scales
  const target = Array.isArray(spec.layer)
    ? (spec.layer.find((l) => isObject(l) && isUnit(l) && continuousXY(l, spec.encoding)) as JsonObject)
    : spec;
  const params = Array.isArray(target.params) ? target.params : [];
  target.params = [
    ...params,
    { name: ZOOM_PARAM, select: { type: 'interval', encodings: ['x', 'y'] }, bind: 'scales' },
  ];
}

function addTooltips(node: Json): void {
  if (Array.isArray(node)) {
    node.forEach(addTooltips);
    return;
  }
  if (!isObject(node)) return;
  if (isUnit(node) && !(isObject(node.encoding) && 'tooltip' in node.encoding)) {
    const mark = node.mark;
    if (typeof mark === 'string') node.mark = { type: mark, tooltip: true };
    else if (isObject(mark) && !('tooltip' in mark)) mark.tooltip = true;
  }
  for (const key of ['layer', 'hconcat', 'vconcat', 'concat', 'spec'] as const) if (key in node) addTooltips(node[key]);
}

function isUnit(view: JsonObject): boolean {
  return view.mark !== undefined;
}

function markType(view: JsonObject): string | undefined {
  return typeof view.mark === 'string'
    ? view.mark
    : isObject(view.mark) && typeof view.mark.type === 'string'
      ? view.mark.type
      : undefined;
}

function continuousXY(view: JsonObject, inherited: Json | undefined): boolean {
  if (NO_ZOOM_MARKS.has(markType(view) ?? '')) return false;
  const enc = { ...(isObject(inherited) ? inherited : {}), ...(isObject(view.encoding) ? view.encoding : {}) };
  return continuous(enc.x) && continuous(enc.y);
}

function continuous(channel: Json | undefined): boolean {
  if (!isObject(channel)) return false;
  if (channel.bin !== undefined && channel.bin !== false && channel.bin !== null) return false;
  const scaleType = isObject(channel.scale) ? channel.scale.type : undefined;
  if (scaleType === 'band' || scaleType === 'point' || scaleType === 'ordinal') return false;
  return channel.type === 'quantitative' || channel.type === 'temporal';
}

function hasScaleBinding(view: JsonObject): boolean {
  const params = [
    view.params,
    ...(Array.isArray(view.layer) ? view.layer.map((l) => (isObject(l) ? l.params : undefined)) : []),
  ];
  return params.some((p) => Array.isArray(p) && p.some((x) => isObject(x) && x.bind === 'scales'));
}

function isObject(x: Json | undefined): x is JsonObject {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
