/**
 * The JupyterLab theme as the renderers see it. MIME extensions get no dependency injection (no
 * IThemeManager), so we read what the theme manager writes on <body>: `data-jp-theme-light`
 * ("true"/"false"), and the theme's CSS variables for colours. One MutationObserver for all plots.
 */
export interface ThemeInfo {
  dark: boolean;
  /** --jp-layout-color0: the output area background, so plots blend in. */
  background?: string;
  /** --jp-ui-font-color1: text colour for axes and legends. */
  foreground?: string;
}

export function currentTheme(doc: Document = document): ThemeInfo {
  const body = doc.body;
  const style = doc.defaultView?.getComputedStyle(body);
  const read = (name: string): string | undefined => style?.getPropertyValue(name).trim() || undefined;
  return {
    dark: body?.dataset.jpThemeLight === 'false',
    background: read('--jp-layout-color0'),
    foreground: read('--jp-ui-font-color1'),
  };
}

type Listener = (theme: ThemeInfo) => void;
const listeners = new Set<Listener>();
let observer: MutationObserver | null = null;

/** Calls `listener` when the light/dark flag or the theme name on <body> changes; returns the unsubscribe. */
export function onThemeChange(listener: Listener, doc: Document = document): () => void {
  listeners.add(listener);
  if (!observer) {
    observer = new MutationObserver(() => {
      const theme = currentTheme(doc);
      for (const l of [...listeners]) l(theme);
    });
    observer.observe(doc.body, { attributes: true, attributeFilter: ['data-jp-theme-light', 'data-jp-theme-name'] });
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && observer) {
      observer.disconnect();
      observer = null;
    }
  };
}
