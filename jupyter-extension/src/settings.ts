/**
 * Settings of the extension. schema/plugin.json is what JupyterLab's settings editor shows and
 * validates; this zod schema is how the code reads the composite value (with the same defaults: a
 * test keeps the two in step). Renderer options live in a module-level store because MIME renderers
 * are created by the rendermime registry, not by our plugin: the plugin writes, renderers read.
 */
import { Signal, type ISignal } from '@lumino/signaling';
import { z } from 'zod';

export const vegaSettingsSchema = z.object({
  renderer: z
    .enum(['svg', 'canvas'])
    .default('svg')
    .describe('Draw plots as SVG (crisp, selectable text) or canvas (faster for very many marks)'),
  actions: z.boolean().default(true).describe('Show the "..." menu with Save as SVG / Save as PNG'),
  tooltips: z
    .boolean()
    .default(true)
    .describe('Tooltips with the encoded fields on every mark that does not set its own'),
  zoomPan: z
    .boolean()
    .default(true)
    .describe('Zoom (wheel) and pan (drag) on single views with continuous x and y; double-click resets'),
});

export const settingsSchema = z.object({
  panelArea: z
    .enum(['right', 'left'])
    .default('right')
    .describe('Side of the window the stage-progress panel lives on'),
  refreshIntervalMs: z
    .number()
    .int()
    .min(50)
    .max(5000)
    .default(250)
    .describe('Minimum time between panel redraws, and the tick of running durations (ms)'),
  maxRuns: z
    .number()
    .int()
    .min(1)
    .max(500)
    .default(20)
    .describe('Pipeline runs kept per notebook (oldest dropped first)'),
  autoOpen: z.boolean().default(false).describe('Open the panel when a notebook starts its first pipeline run'),
  vega: vegaSettingsSchema.default(vegaSettingsSchema.parse({})).describe('Vega-Lite v6 plots'),
});

export type StagebookSettings = z.output<typeof settingsSchema>;
export type VegaSettings = z.output<typeof vegaSettingsSchema>;

export const DEFAULT_SETTINGS: StagebookSettings = settingsSchema.parse({});

/**
 * Reads the composite settings. An invalid value (hand-edited JSON the registry let through) falls
 * back to its default field by field, with the problems returned for the console.
 */
export function readSettings(composite: unknown): { settings: StagebookSettings; problems: string[] } {
  const r = settingsSchema.safeParse(composite ?? {});
  if (r.success) return { settings: r.data, problems: [] };
  // zod's own path notation (the one z.prettifyError prints), one problem per issue for the console.
  const problems = r.error.issues.map((i) => `${z.core.toDotPath(i.path) || '(root)'}: ${i.message}`);
  const bad = new Set(r.error.issues.map((i) => String(i.path[0])));
  const kept = Object.fromEntries(
    Object.entries((composite ?? {}) as Record<string, unknown>).filter(([k]) => !bad.has(k)),
  );
  return { settings: settingsSchema.parse(kept), problems };
}

/** What the Vega renderers read at render time. */
class RendererSettingsStore {
  private current: VegaSettings = DEFAULT_SETTINGS.vega;
  private readonly changedSignal = new Signal<this, VegaSettings>(this);

  get vega(): VegaSettings {
    return this.current;
  }

  get changed(): ISignal<this, VegaSettings> {
    return this.changedSignal;
  }

  update(vega: VegaSettings): void {
    if (JSON.stringify(vega) === JSON.stringify(this.current)) return;
    this.current = vega;
    this.changedSignal.emit(vega);
  }
}

export const rendererSettings = new RendererSettingsStore();
