/**
 * Publishing display bundles from inside a tslab kernel, and degrading to plain bundles outside.
 *
 * tslab's public `display.raw(mime, value)` sends ONE MIME type per message; Jupyter frontends pick
 * the richest type of a single multi-MIME bundle (nbformat "display_data"), so a Vega-Lite plot
 * must travel with its SVG and text twins in one message. tslab keeps the writer for the current
 * cell in `tslab/dist/jupyter.js` (`lastWriteDisplayData({data, metadata, transient}, update)`);
 * we use that writer when the kernel has loaded it. We look it up in `require.cache` instead of
 * requiring tslab, so nothing is loaded (and nothing breaks) outside the kernel.
 */
import path from 'node:path';

/** A Jupyter MIME bundle: MIME type -> string or JSON object (for `+json` types). */
export type MimeData = Record<string, unknown>;

/** What a display call produces: the nbformat `display_data` fields. */
export interface DisplayBundle {
  data: MimeData;
  metadata: Record<string, unknown>;
}

/** Where a bundle goes: a display id makes later updates replace it in place. */
export interface PublishOptions {
  displayId?: string;
  /** true: send `update_display_data` for `displayId` instead of a new `display_data`. */
  update?: boolean;
}

type WriteDisplayData = (
  bundle: { data: MimeData; metadata: Record<string, unknown>; transient: { display_id?: string } },
  update: boolean,
) => void;

const JUPYTER_MODULE_SUFFIX = path.join('tslab', 'dist', 'jupyter.js');

/** The tslab writer of the running cell, or null when not inside a tslab kernel cell. */
export function tslabWriter(): WriteDisplayData | null {
  for (const [id, mod] of Object.entries(require.cache)) {
    if (!id.endsWith(JUPYTER_MODULE_SUFFIX) || !mod) continue;
    const w = (mod.exports as { lastWriteDisplayData?: unknown }).lastWriteDisplayData;
    if (typeof w === 'function') return w as WriteDisplayData;
  }
  return null;
}

/** True when display calls reach a Jupyter frontend (inside a tslab kernel cell). */
export function inKernel(): boolean {
  return tslabWriter() !== null;
}

/**
 * Sends `bundle` to the frontend when running in tslab and returns undefined (so a cell ending
 * with the call prints nothing); outside the kernel it returns the bundle for the caller to use.
 */
export function publish(bundle: DisplayBundle, options: PublishOptions = {}): DisplayBundle | undefined {
  const write = tslabWriter();
  if (!write) return bundle;
  write(
    {
      data: bundle.data,
      metadata: bundle.metadata,
      transient: options.displayId ? { display_id: options.displayId } : {},
    },
    options.update === true,
  );
  return undefined;
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}
