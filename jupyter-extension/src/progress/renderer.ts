/**
 * MIME renderer for `application/vnd.stagebook.progress.v1+json`: the in-notebook progress output
 * becomes the same run card the panel shows (static: no clicks, durations as of the payload).
 * `update_display_data` re-renders the output in place, so the card follows the run live.
 * Safe (`safe: true`): it only writes text nodes, so untrusted notebooks show it too.
 */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Widget } from '@lumino/widgets';
import { parseProgressPayload } from 'stagebook/progress-schema';
import { Css, PROGRESS_MIME } from '../constants';
import { renderRunCard } from './run-view';

export class RenderedProgress extends Widget implements IRenderMime.IRenderer {
  constructor(private readonly mimeType: string) {
    super();
    this.addClass(Css.progressOutput);
  }

  renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const raw = model.data[this.mimeType];
    const parsed = parseProgressPayload(raw);
    if (parsed.ok) {
      // the payload's own clock: a saved output must not show a stage "running" for days
      const now = Date.parse(parsed.payload.updatedAt);
      this.node.replaceChildren(renderRunCard(parsed.payload, { now }));
    } else {
      const box = document.createElement('div');
      box.className = 'sb-progress-invalid';
      box.textContent = `stagebook progress payload not understood: ${parsed.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`;
      const fallback = model.data['text/plain'];
      const pre = document.createElement('pre');
      pre.textContent = typeof fallback === 'string' ? fallback : '';
      this.node.replaceChildren(box, pre);
    }
    return Promise.resolve();
  }
}

/** Ranked before text/html (50) so the bundle's HTML twin is only a fallback. */
export const progressRendererFactory: IRenderMime.IRendererFactory = {
  safe: true,
  mimeTypes: [PROGRESS_MIME],
  defaultRank: 40,
  createRenderer: (options) => new RenderedProgress(options.mimeType),
};
