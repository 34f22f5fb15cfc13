import { describe, expect, it } from 'vitest';
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { PROGRESS_MIME } from 'stagebook/progress-schema';
import { loadRecording } from '../test-support/fakes';
import { RenderedProgress, progressRendererFactory } from './renderer';

const mimeModel = (data: Record<string, unknown>): IRenderMime.IMimeModel =>
  ({ trusted: false, data, metadata: {}, setData: () => undefined }) as unknown as IRenderMime.IMimeModel;

describe('progress MIME renderer', () => {
  const bundles = loadRecording('iopub-stage-failure.json')
    .map((e) => (e.msg.content as { data?: Record<string, unknown> }).data)
    .filter((d): d is Record<string, unknown> => !!d?.[PROGRESS_MIME]);

  it('renders each recorded bundle as a run card, following update_display_data in place', async () => {
    const r = progressRendererFactory.createRenderer({
      mimeType: PROGRESS_MIME,
      sanitizer: {} as never,
      resolver: null,
      linkHandler: null,
      latexTypesetter: null,
    }) as RenderedProgress;
    const states: string[] = [];
    for (const data of bundles) {
      await r.renderModel(mimeModel(data));
      states.push([...r.node.querySelectorAll<HTMLElement>('.sb-stage')].map((s) => s.dataset.state).join(','));
    }
    expect(states).toEqual([
      'running,pending,pending',
      'succeeded,pending,pending',
      'succeeded,running,pending',
      'succeeded,failed,pending',
    ]);
    expect(r.node.classList.contains('sb-progress-output')).toBe(true);
    expect(r.node.querySelectorAll('.sb-run')).toHaveLength(1);
    expect(r.node.querySelector('.sb-stage-error')!.textContent).toContain('dark frame missing');
    expect(r.node.querySelector('.sb-clickable')).toBeNull(); // static in the notebook
  });

  it('never interprets payload text as HTML', async () => {
    const r = new RenderedProgress(PROGRESS_MIME);
    const now = new Date().toISOString();
    await r.renderModel(
      mimeModel({
        [PROGRESS_MIME]: {
          version: 1,
          runId: 'r',
          state: 'failed',
          startedAt: now,
          updatedAt: now,
          stages: [
            { name: '<img src=x onerror=alert(1)>', state: 'failed', error: { code: 'E', message: '<b>bold</b>' } },
          ],
        },
      }),
    );
    expect(r.node.querySelector('img')).toBeNull();
    expect(r.node.querySelector('b')).toBeNull();
    expect(r.node.querySelector('.sb-stage-name')!.textContent).toBe('<img src=x onerror=alert(1)>');
  });

  it('shows the issues and the text twin for a payload it does not understand', async () => {
    const r = new RenderedProgress(PROGRESS_MIME);
    await r.renderModel(mimeModel({ [PROGRESS_MIME]: { version: 2 }, 'text/plain': 'run r: running' }));
    expect(r.node.querySelector('.sb-progress-invalid')!.textContent).toMatch(/version/);
    expect(r.node.querySelector('pre')!.textContent).toBe('run r: running');
  });

  it('outranks the HTML twin and is safe for untrusted notebooks', () => {
    expect(progressRendererFactory.defaultRank).toBeLessThan(50); // text/html is 50 in JupyterLab's standard factories
    expect(progressRendererFactory.safe).toBe(true);
  });
});
