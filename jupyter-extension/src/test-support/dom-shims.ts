/**
 * What jsdom lacks and Lumino/vega touch at import or render time (the same gaps
 * @jupyterlab/testing's jest-shim fills; that package would pull in jest, so we keep our own):
 * DragEvent (@lumino/dragdrop references it at import), ResizeObserver, Element.scrollTo.
 */
const g = globalThis as Record<string, unknown>;

if (typeof g.DragEvent === 'undefined') {
  g.DragEvent = class DragEvent extends Event {
    dataTransfer: unknown;
    constructor(type: string, init: { dataTransfer?: unknown } = {}) {
      super(type);
      this.dataTransfer = init.dataTransfer ?? null;
    }
  };
}

if (typeof g.ResizeObserver === 'undefined') {
  g.ResizeObserver = class ResizeObserver {
    observe(): void {}
    unobserve(): void {}
    disconnect(): void {}
  };
}

if (!Element.prototype.scrollTo) Element.prototype.scrollTo = (): void => undefined;

// jsdom has no canvas: vega measures text with a 2D context when it can and estimates otherwise.
// Returning null (what a browser does for an unknown context type) selects the estimate quietly
// instead of jsdom's "Not implemented" message on every plot.
HTMLCanvasElement.prototype.getContext = ((): null => null) as unknown as HTMLCanvasElement['getContext'];

// @jupyterlab/ui-components (pulled in by the plugin's imports) queries media features at import.
if (typeof window.matchMedia !== 'function') {
  window.matchMedia = ((query: string) => ({
    matches: false,
    media: query,
    onchange: null,
    addListener: () => undefined,
    removeListener: () => undefined,
    addEventListener: () => undefined,
    removeEventListener: () => undefined,
    dispatchEvent: () => false,
  })) as unknown as typeof window.matchMedia;
}
