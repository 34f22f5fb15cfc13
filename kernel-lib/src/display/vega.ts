/**
 * Vega-Lite plots as one display bundle:
 *  - `application/vnd.vegalite.v6+json`: the spec as a JSON object, drawn interactively by the
 *    stagebook JupyterLab extension (vega-embed 7 / vega 6: tooltips, zoom/pan, export, theme).
 *  - optionally `application/vnd.vegalite.v5+json` too (`mimeTypes: ['v6', 'v5']`): JupyterLab's
 *    built-in vega5-extension renders only v3/v4/v5 (a v6 MIME alone shows nothing there), so a
 *    notebook meant for a JupyterLab without our extension can carry both, at twice the spec size.
 *  - `image/svg+xml`: rendered headless in Node by vega `View.toSVG()` (renderer 'none'), for static
 *    viewers (GitHub, nbviewer, classic notebook) that ignore the Vega MIME.
 *  - `image/png` (on by default) rendered from that SVG by @resvg/resvg-js at 2x, so 1 px lines
 *    stay legible, plus a `text/markdown` `<img>` of the same PNG: `jupyter nbconvert --to html`
 *    (Debian's 6.5, nbviewer, Sphinx) prefers markdown > SVG > PNG and strips inline SVG to its text
 *    (lxml clean_html), so without the markdown twin the exported page shows no plot at all.
 *    JupyterLab ranks markdown (60) after our v6 renderer (56) and its SVG (80) after markdown.
 *  - `text/plain`: a one-line summary (mark, encodings, row count).
 * vega and vega-lite are ESM-only; this package is CommonJS and TypeScript rewrites `import()` to
 * `require()`, hence the `new Function` dynamic import in esm-import.js.
 */
import { StagebookError, invalidArgument } from '../errors/stagebook-error';
import { escapeHtml, publish, type DisplayBundle } from './bundle';
import { compactPng } from './png-compact';

/** The Vega-Lite MIME type our JupyterLab extension renders (vega-lite 6). */
export const VEGALITE_MIME = 'application/vnd.vegalite.v6+json';
/** The MIME type of JupyterLab's built-in Vega renderer (vega-lite 5). */
export const VEGALITE_V5_MIME = 'application/vnd.vegalite.v5+json';
const SCHEMA = {
  v6: 'https://vega.github.io/schema/vega-lite/v6.json',
  v5: 'https://vega.github.io/schema/vega-lite/v5.json',
} as const;
const MIME = { v6: VEGALITE_MIME, v5: VEGALITE_V5_MIME } as const;

// eslint-disable-next-line @typescript-eslint/no-require-imports
const importEsm = require('./esm-import') as (s: string) => Promise<any>;

/** A Vega-Lite specification (kept loose: vega-lite's own types need TS > 5.0). */
export type VegaLiteSpec = Record<string, unknown>;

export interface VegaLiteOptions {
  /** Vega-Lite MIME types to include (default `['v6']`; add `'v5'` for JupyterLab without the stagebook extension). */
  mimeTypes?: Array<'v6' | 'v5'>;
  /** Also render a PNG (resvg) and its markdown `<img>` twin for HTML export. Default true. */
  png?: boolean;
  /** PNG scale factor (default 2: thin lines and 10 px labels stay legible at print size). */
  pngScale?: number;
  /** No SVG twin (default false; image plots set `usermeta.stagebook.svg: false`: their PNG twin stands in). */
  noSvg?: boolean;
}

/** Renders `spec` to an SVG string headless (vega-lite compile, vega View with renderer 'none'). */
export async function renderVegaLiteSvg(spec: VegaLiteSpec): Promise<string> {
  const [vl, vega] = await Promise.all([importEsm('vega-lite'), importEsm('vega')]);
  let view: any;
  try {
    const vgSpec = vl.compile(spec).spec;
    view = new vega.View(vega.parse(vgSpec), { renderer: 'none' });
    return await view.toSVG();
  } catch (e) {
    throw new StagebookError(
      'E_PLOT_RENDER',
      `renderVegaLiteSvg: spec: ${(e as Error).message}`,
      { where: 'renderVegaLiteSvg', field: 'spec' },
      { cause: e },
    );
  } finally {
    view?.finalize();
  }
}

/** The default PNG scale: 2 device pixels per CSS pixel. */
export const PNG_SCALE = 2;

/**
 * Converts SVG text to PNG bytes with resvg, re-encoded as an 8-bit palette PNG (png-compact.ts).
 * vega writes `font-family: sans-serif`; resvg maps that generic name to DejaVu Sans (Debian's
 * fonts-dejavu-core), so labels render headless.
 */
export async function svgToPng(svg: string, scale = PNG_SCALE): Promise<Uint8Array> {
  type Rendered = { pixels: Uint8Array; width: number; height: number };
  const { Resvg } = require('@resvg/resvg-js') as { Resvg: new (svg: string, o: object) => { render(): Rendered } };
  const font = { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' };
  const img = new Resvg(svg, { fitTo: { mode: 'zoom', value: scale }, font, background: 'white' }).render();
  return compactPng(img.pixels, img.width, img.height);
}

/** Renders a Vega-Lite spec to PNG bytes (vega SVG, then resvg): the one PNG path, also for portal files. */
export async function renderPng(spec: VegaLiteSpec, scale = PNG_SCALE): Promise<Uint8Array> {
  return svgToPng(await renderVegaLiteSvg(spec), scale);
}

/** The CSS width of an SVG (its `width` attribute), so a 2x PNG is shown at its natural size. */
function svgWidth(svg: string): number | undefined {
  const m = /^<svg[^>]*\swidth="([\d.]+)"/.exec(svg);
  return m ? Math.round(Number(m[1])) : undefined;
}

/** The markdown twin: an HTML `<img>` of the PNG (markdown allows inline HTML; `width` keeps 2x PNGs at 1x size). */
export function pngMarkdown(pngBase64: string, alt: string, width?: number): string {
  return `<img src="data:image/png;base64,${pngBase64}"${width ? ` width="${width}"` : ''} alt="${escapeHtml(alt)}">`;
}

/** The text/plain twin: mark, encoded fields and row count of inline data. */
export function summarizeVegaLite(spec: VegaLiteSpec): string {
  const mark = typeof spec.mark === 'string' ? spec.mark : (spec.mark as { type?: string } | undefined)?.type;
  const layers = Array.isArray(spec.layer) ? ` ${spec.layer.length} layers` : '';
  const enc = (spec.encoding ?? {}) as Record<string, { field?: string; type?: string; aggregate?: string }>;
  const fields = Object.entries(enc)
    .filter(([, e]) => e && typeof e === 'object')
    .map(
      ([ch, e]) =>
        `${ch}=${e.aggregate ? `${e.aggregate}(${e.field ?? ''})` : (e.field ?? '?')}${e.type ? ` (${e.type})` : ''}`,
    );
  const values = (spec.data as { values?: unknown } | undefined)?.values;
  const rows = Array.isArray(values) ? `, ${values.length} rows` : '';
  const title = typeof spec.title === 'string' ? `"${spec.title}" ` : '';
  return `Vega-Lite chart ${title}(${mark ?? 'composite'}${layers}${fields.length ? `: ${fields.join(', ')}` : ''}${rows})`;
}

/** Builds the plot bundle (Vega-Lite object + SVG + text, optionally PNG) without publishing it. */
export async function vegaLiteBundle(spec: VegaLiteSpec, options: VegaLiteOptions = {}): Promise<DisplayBundle> {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec))
    invalidArgument('vegaLiteBundle', 'spec', 'expected a Vega-Lite specification object');
  const mimeTypes = options.mimeTypes ?? ['v6'];
  if (!Array.isArray(mimeTypes) || mimeTypes.length === 0 || mimeTypes.some((m) => m !== 'v6' && m !== 'v5'))
    invalidArgument(
      'vegaLiteBundle',
      'options.mimeTypes',
      `expected a non-empty list of 'v6' | 'v5', got ${JSON.stringify(mimeTypes)}`,
    );
  // A spec may state its own twin defaults (image plots: 1x PNG, no SVG); explicit options win.
  const own = (spec.usermeta as { stagebook?: { pngScale?: number; svg?: boolean } } | undefined)?.stagebook ?? {};
  const noSvg = options.noSvg ?? own.svg === false;
  const pngScale = options.pngScale ?? own.pngScale ?? PNG_SCALE;
  const data: Record<string, unknown> = {};
  // A spec's own $schema wins for the v6 MIME; the v5 copy always says v5 (JupyterLab warns otherwise).
  for (const m of mimeTypes)
    data[MIME[m]] = m === 'v6' ? { $schema: SCHEMA.v6, ...spec } : { ...spec, $schema: SCHEMA.v5 };
  if (!noSvg || options.png !== false) {
    const svg = await renderVegaLiteSvg(spec);
    if (!noSvg) data['image/svg+xml'] = svg;
    if (options.png !== false) {
      const png = Buffer.from(await svgToPng(svg, pngScale)).toString('base64');
      data['image/png'] = png;
      // only needed beside an SVG: nbconvert ranks SVG above PNG and strips it (see above)
      if (!noSvg) data['text/markdown'] = pngMarkdown(png, summarizeVegaLite(spec), svgWidth(svg));
    }
  }
  data['text/plain'] = summarizeVegaLite(spec);
  return { data, metadata: {} };
}

/**
 * Shows a Vega-Lite plot (await it: the SVG is rendered asynchronously, and an un-awaited call
 * would print after its cell ended). Returns the bundle when not inside tslab.
 */
export async function showVegaLite(
  spec: VegaLiteSpec,
  options: VegaLiteOptions = {},
): Promise<DisplayBundle | undefined> {
  return publish(await vegaLiteBundle(spec, options));
}
