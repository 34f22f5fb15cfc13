/**
 * Renderer for `application/vnd.vegalite.v6+json` (and `application/vnd.vega.v6+json`) with
 * vega-embed 7 / vega 6, which JupyterLab's vega5-extension does not handle (platform notes: a v6
 * MIME alone shows nothing there).
 *
 * - Tooltips and zoom/pan are added to a copy of the spec (spec.ts); the stored output is untouched.
 * - Export: vega-embed's action menu with "Save as SVG" / "Save as PNG" only (the editor and
 *   source actions would open vega.github.io, unreachable offline).
 * - Theme: vega-themes "dark" in JupyterLab dark themes, the theme's own background colour, and a
 *   re-render when the theme changes (theme.ts).
 * - vega-embed is loaded on first use (a dynamic import: a split chunk of the federated extension),
 *   so opening JupyterLab costs nothing until a plot is shown.
 * Errors (bad spec) are shown in the output with the message, never thrown into the notebook.
 */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Widget } from '@lumino/widgets';
import { Css, VEGA6_MIME, VEGALITE6_MIME } from '../constants';
import { rendererSettings, type VegaSettings } from '../settings';
import { enhanceVegaLiteSpec, type JsonObject } from './spec';
import { currentTheme, onThemeChange } from './theme';

type EmbedResult = { finalize(): void; view: { runAsync(): Promise<unknown> } };
type Embed = (el: HTMLElement, spec: unknown, options: Record<string, unknown>) => Promise<EmbedResult>;

let embedModule: Promise<Embed> | null = null;
/** vega-embed, loaded once. Tests may replace the loader. */
export function loadEmbed(): Promise<Embed> {
  embedModule ??= import('vega-embed').then((m) => (m as { default?: Embed }).default ?? (m as unknown as Embed));
  return embedModule;
}

export class RenderedVega extends Widget implements IRenderMime.IRenderer {
  private result: EmbedResult | null = null;
  private lastModel: IRenderMime.IMimeModel | null = null;
  private readonly stopTheme: () => void;
  private rendering: Promise<void> = Promise.resolve();

  constructor(private readonly mimeType: string) {
    super();
    this.addClass(Css.vegaOutput);
    this.stopTheme = onThemeChange(() => this.rerender());
    rendererSettings.changed.connect(this.rerender, this);
  }

  renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    this.lastModel = model;
    // serialize renders: a theme change during a render must not leave two charts behind
    this.rendering = this.rendering.then(() => this.draw(model)).catch(() => undefined);
    return this.rendering;
  }

  dispose(): void {
    if (this.isDisposed) return;
    this.stopTheme();
    rendererSettings.changed.disconnect(this.rerender, this);
    this.result?.finalize();
    this.result = null;
    super.dispose();
  }

  private rerender(): void {
    if (this.lastModel && !this.isDisposed) void this.renderModel(this.lastModel);
  }

  private async draw(model: IRenderMime.IMimeModel): Promise<void> {
    const spec = model.data[this.mimeType] as JsonObject | undefined;
    const settings = rendererSettings.vega;
    const isVegaLite = this.mimeType === VEGALITE6_MIME;
    const metadata = (model.metadata[this.mimeType] ?? {}) as { embed_options?: Record<string, unknown> };
    try {
      if (typeof spec !== 'object' || spec === null || Array.isArray(spec))
        throw new TypeError(`expected a ${isVegaLite ? 'Vega-Lite' : 'Vega'} spec object`);
      const embed = await loadEmbed();
      const chart = document.createElement('div');
      const prepared = isVegaLite ? enhanceVegaLiteSpec(spec, settings) : spec;
      const result = await embed(
        chart,
        prepared,
        embedOptions(isVegaLite, settings, titleOf(spec), metadata.embed_options),
      );
      this.result?.finalize();
      this.result = result;
      this.node.replaceChildren(chart);
    } catch (e) {
      this.result?.finalize();
      this.result = null;
      this.node.replaceChildren(errorBox(e));
    }
  }
}

/** vega-embed options from our settings and the theme (exported for tests). */
export function embedOptions(
  isVegaLite: boolean,
  settings: VegaSettings,
  title: string | undefined,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const theme = currentTheme();
  return {
    mode: isVegaLite ? 'vega-lite' : 'vega',
    renderer: settings.renderer,
    actions: settings.actions
      ? { export: { svg: true, png: true }, source: false, compiled: false, editor: false }
      : false,
    tooltip: settings.tooltips,
    theme: theme.dark ? 'dark' : undefined,
    config: { background: theme.background ?? (theme.dark ? '#111111' : 'white') },
    downloadFileName: (title ?? 'stagebook-plot').replace(/[^\w.-]+/g, '_').slice(0, 80),
    ...overrides,
  };
}

function titleOf(spec: JsonObject): string | undefined {
  const t = spec.title;
  if (typeof t === 'string') return t;
  if (typeof t === 'object' && t !== null && !Array.isArray(t) && typeof t.text === 'string') return t.text;
  return undefined;
}

function errorBox(e: unknown): HTMLElement {
  const box = document.createElement('div');
  box.className = 'sb-vega-error';
  box.textContent = `Plot could not be drawn: ${e instanceof Error ? e.message : String(e)}`;
  return box;
}

/** Ranked before JupyterLab's vega5 renderer (57) and the image/text twins. */
export const vegaRendererFactory: IRenderMime.IRendererFactory = {
  safe: true,
  mimeTypes: [VEGALITE6_MIME, VEGA6_MIME],
  defaultRank: 56,
  createRenderer: (options) => new RenderedVega(options.mimeType),
};
