import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StagebookError } from '../errors/stagebook-error';
import { inKernel, publish } from './bundle';
import { ERROR_MIME, errorBundle, errorPayload, withErrorDisplay } from './error-display';
import { PROGRESS_MIME, ProgressDisplay, overallState, showProgress, type ProgressPayload } from './progress';
import { formatValue, tableBundle } from './table';
import { decodePng, inkStats } from '../../../test/support/png-decode';
import { VEGALITE_MIME, VEGALITE_V5_MIME, renderPng, summarizeVegaLite, vegaLiteBundle } from './vega';

/** Installs a fake tslab `jupyter.js` in require.cache, as the kernel has it loaded. */
function fakeKernel(): { calls: Array<{ bundle: any; update: boolean }>; remove: () => void } {
  const calls: Array<{ bundle: any; update: boolean }> = [];
  const id = path.join('/nonexistent', 'node_modules', 'tslab', 'dist', 'jupyter.js');
  (require.cache as Record<string, unknown>)[id] = {
    id,
    exports: { lastWriteDisplayData: (bundle: unknown, update: boolean) => calls.push({ bundle, update }) },
  };
  return {
    calls,
    remove: () => {
      delete require.cache[id];
    },
  };
}

describe('publish', () => {
  let k: ReturnType<typeof fakeKernel> | undefined;
  afterEach(() => k?.remove());

  it('returns the bundle outside a kernel', () => {
    expect(inKernel()).toBe(false);
    const b = { data: { 'text/plain': 'x' }, metadata: {} };
    expect(publish(b)).toBe(b);
  });

  it('sends one multi-MIME message inside a kernel and returns undefined', () => {
    k = fakeKernel();
    expect(inKernel()).toBe(true);
    expect(
      publish({ data: { 'text/plain': 'x', 'text/html': '<b>x</b>' }, metadata: {} }, { displayId: 'd1' }),
    ).toBeUndefined();
    expect(k.calls).toHaveLength(1);
    expect(Object.keys(k.calls[0].bundle.data)).toEqual(['text/plain', 'text/html']);
    expect(k.calls[0].bundle.transient).toEqual({ display_id: 'd1' });
    expect(k.calls[0].update).toBe(false);
  });
});

describe('tables', () => {
  it('escapes HTML, right-aligns numbers and has a text twin', () => {
    const b = tableBundle([
      { name: '<script>', v: 1.23456789 },
      { name: 'b&c', v: 2 },
    ]);
    const html = b.data['text/html'] as string;
    expect(html).toContain('&lt;script&gt;');
    expect(html).not.toContain('<script>');
    expect(html).toContain('b&amp;c');
    expect(html).toContain('<th style="text-align:right">v</th>');
    const text = (b.data['text/plain'] as string).split('\n');
    expect(text[0]).toMatch(/^name\s+v$/);
    expect(text[2]).toMatch(/^<script>\s+1\.23457$/);
    expect(text.at(-1)).toBe('[2 rows × 2 columns]');
  });

  it('accepts columns (typed arrays) and elides the middle beyond maxRows', () => {
    const x = Float64Array.from({ length: 100 }, (_, i) => i);
    const b = tableBundle({ x, y: Array.from(x, (v) => v * 2) }, { maxRows: 4 });
    const lines = (b.data['text/plain'] as string).split('\n');
    expect(lines.slice(2, 7).map((l) => l.trim().split(/\s+/)[0])).toEqual(['0', '1', '…', '98', '99']);
    expect(lines.at(-1)).toBe('[100 rows × 2 columns]');
  });

  it('rejects unequal columns and bad options with StagebookError', () => {
    expect(() => tableBundle({ a: [1, 2], b: [1] })).toThrow(/different lengths/);
    expect(() => tableBundle([], { maxRows: 1 })).toThrow(StagebookError);
  });

  it('formats values', () => {
    expect(formatValue(NaN)).toBe('NaN');
    expect(formatValue(1 / 3, 3)).toBe('0.333');
    expect(formatValue(null)).toBe('');
    expect(formatValue({ a: 1 })).toBe('{"a":1}');
    // for reading: grouped thousands, exponents for tiny and huge, strings and arrays unquoted
    expect(formatValue(1234567)).toBe('1,234,567');
    expect(formatValue(2048)).toBe('2048');
    expect(formatValue(15461.99, 5)).toBe('15,462');
    expect(formatValue(12345.678, 6)).toBe('12,345.7');
    expect(formatValue(0.000123456789, 4)).toBe('1.235e-4');
    expect(formatValue(6.02e23, 3)).toBe('6.02e+23');
    expect(formatValue(2.5e-7, 4)).toBe('2.5e-7');
    expect(formatValue(0.0123456, 4)).toBe('0.01235');
    expect(formatValue(['Multitau', 'Twotime'])).toBe('Multitau, Twotime');
    expect(formatValue(Float64Array.of(1.5, 2))).toBe('1.5, 2');
    expect(formatValue('a "quoted" word')).toBe('a "quoted" word');
  });

  it('puts units in the header', () => {
    const b = tableBundle([{ q: 0.001, tau: 2 }], { units: { q: 'Å⁻¹', tau: 's' } });
    expect((b.data['text/plain'] as string).split('\n')[0]).toMatch(/^q \(Å⁻¹\) +tau \(s\)$/);
    expect(b.data['text/html']).toContain('<th style="text-align:right">q (Å⁻¹)</th>');
  });
});

describe('vega-lite bundle', () => {
  const spec = {
    data: {
      values: [
        { a: 1, b: 2 },
        { a: 2, b: 5 },
        { a: 3, b: 1 },
      ],
    },
    mark: 'point',
    encoding: { x: { field: 'a', type: 'quantitative' }, y: { field: 'b', type: 'quantitative' } },
  };

  it('carries the spec object under the v6 MIME (only), a headless SVG and a text summary', async () => {
    const b = await vegaLiteBundle(spec);
    expect(Object.keys(b.data).sort()).toEqual(
      [VEGALITE_MIME, 'image/svg+xml', 'image/png', 'text/markdown', 'text/plain'].sort(),
    );
    const vl = b.data[VEGALITE_MIME] as Record<string, unknown>;
    expect(VEGALITE_MIME).toBe('application/vnd.vegalite.v6+json');
    expect(typeof vl).toBe('object');
    expect(vl.$schema).toMatch(/vega-lite\/v6/);
    expect(vl.mark).toBe('point');
    const svg = b.data['image/svg+xml'] as string;
    expect(svg.startsWith('<svg')).toBe(true);
    // three data points -> three point symbols, labelled with their data
    expect((svg.match(/aria-roledescription="point"/g) ?? []).length).toBe(3);
    expect(svg).toContain('aria-label="a: 3; b: 1"');
    expect(b.data['text/plain']).toBe('Vega-Lite chart (point: x=a (quantitative), y=b (quantitative), 3 rows)');
  });

  it('adds the v5 MIME for stock JupyterLab on request, with a v5 $schema, and refuses unknown MIME names', async () => {
    const b = await vegaLiteBundle(
      { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', ...spec },
      { mimeTypes: ['v6', 'v5'], noSvg: true },
    );
    expect((b.data[VEGALITE_V5_MIME] as Record<string, unknown>).$schema).toMatch(/vega-lite\/v5/);
    expect((b.data[VEGALITE_MIME] as Record<string, unknown>).$schema).toMatch(/vega-lite\/v6/);
    await expect(vegaLiteBundle(spec, { mimeTypes: ['v7' as 'v6'] })).rejects.toMatchObject({
      code: 'E_INVALID_ARGUMENT',
    });
  });

  it('renders a 2x PNG twin with legible ink and a markdown <img> of it for HTML export; bad specs are E_PLOT_RENDER', async () => {
    const b = await vegaLiteBundle(spec);
    const bytes = Buffer.from(b.data['image/png'] as string, 'base64');
    const png = decodePng(bytes);
    const width = Number(/^<svg[^>]*\swidth="([\d.]+)"/.exec(b.data['image/svg+xml'] as string)![1]);
    expect(png.width).toBe(Math.round(width * 2));
    const ink = inkStats(png);
    expect(ink.inked).toBeGreaterThan(0.005); // axes, ticks, labels and points
    expect(ink.colours).toBeGreaterThan(8); // anti-aliased text: the font was found
    expect(b.data['text/markdown']).toBe(
      `<img src="data:image/png;base64,${b.data['image/png']}" width="${Math.round(width)}" alt="${b.data['text/plain']}">`,
    );
    expect(Object.keys((await vegaLiteBundle(spec, { png: false })).data)).not.toContain('image/png');
    expect(Buffer.from(await renderPng(spec)).equals(bytes)).toBe(true);
    await expect(
      vegaLiteBundle({ mark: 'point', encoding: { x: { field: 'a', type: 'nonsense' } } }),
    ).rejects.toMatchObject({ code: 'E_PLOT_RENDER' });
  });

  it('summarises aggregates and layers', () => {
    expect(summarizeVegaLite({ layer: [{}, {}] })).toBe('Vega-Lite chart (composite 2 layers)');
    expect(summarizeVegaLite({ mark: { type: 'bar' }, encoding: { y: { aggregate: 'count' } } })).toBe(
      'Vega-Lite chart (bar: y=count())',
    );
  });
});

describe('progress display', () => {
  let k: ReturnType<typeof fakeKernel> | undefined;
  afterEach(() => k?.remove());

  it('uses one display id per run: display_data first, then update_display_data', () => {
    k = fakeKernel();
    const p = new ProgressDisplay({ runId: 'r1', stages: ['a', 'b'], minIntervalMs: 0 });
    p.update({ runId: 'r1', stage: 'a', state: 'running', n: 0, total: 2 });
    p.update({ runId: 'r1', stage: 'a', state: 'succeeded', n: 2, total: 2 });
    p.update({ runId: 'r1', stage: 'b', state: 'failed', error: { code: 'E_STAGE_FAILED', message: 'boom' } });
    expect(k.calls.map((c) => c.update)).toEqual([false, true, true]);
    const ids = new Set(k.calls.map((c) => c.bundle.transient.display_id));
    expect(ids.size).toBe(1);
    const last = k.calls[2].bundle.data[PROGRESS_MIME] as ProgressPayload;
    expect(last.state).toBe('failed');
    expect(last.error).toEqual({ stage: 'b', code: 'E_STAGE_FAILED', message: 'boom' });
    expect(last.stages.map((s) => [s.name, s.state, s.n, s.total])).toEqual([
      ['a', 'succeeded', 2, 2],
      ['b', 'failed', undefined, undefined],
    ]);
    expect(k.calls[2].bundle.data['text/plain']).toMatch(/✗ b \[failed\]  \d+\.\d+ s  E_STAGE_FAILED: boom/);
  });

  it('thins count-only updates but always sends state changes', () => {
    k = fakeKernel();
    const p = new ProgressDisplay({ runId: 'r2', minIntervalMs: 60_000 });
    p.update({ runId: 'r2', stage: 's', state: 'running', n: 0, total: 100 });
    for (let i = 1; i < 100; i++) p.update({ runId: 'r2', stage: 's', state: 'running', n: i, total: 100 });
    p.update({ runId: 'r2', stage: 's', state: 'succeeded', n: 100, total: 100 });
    expect(k.calls).toHaveLength(2);
    const done = k.calls[1].bundle.data[PROGRESS_MIME] as ProgressPayload;
    expect(done.stages[0]).toMatchObject({ state: 'succeeded', n: 100 });
    expect(done.stages[0].durationMs).toBeGreaterThanOrEqual(0);
  });

  it('routes events by run id (showProgress) and validates them', () => {
    const a = showProgress({ runId: 'ra', stage: 'x', state: 'running' });
    const b = showProgress({ runId: 'rb', stage: 'y', state: 'succeeded' });
    expect((a?.data[PROGRESS_MIME] as ProgressPayload).runId).toBe('ra');
    expect((b?.data[PROGRESS_MIME] as ProgressPayload).stages.map((s) => s.name)).toEqual(['y']);
    expect(() => showProgress({ runId: 'ra', stage: 'x', state: 'bogus' as never })).toThrow(/event.state/);
    expect(() => showProgress({ runId: '', stage: 'x', state: 'succeeded' })).toThrow(/runId/);
  });

  it('derives the overall state', () => {
    expect(overallState([{ name: 'a', state: 'pending' }])).toBe('pending');
    expect(
      overallState([
        { name: 'a', state: 'succeeded' },
        { name: 'b', state: 'pending' },
      ]),
    ).toBe('running');
    expect(
      overallState([
        { name: 'a', state: 'succeeded' },
        { name: 'b', state: 'cached' },
      ]),
    ).toBe('succeeded');
  });
});

describe('error display', () => {
  it('keeps StagebookError code, stage and input', () => {
    const e = new StagebookError(
      'E_STAGE_FAILED',
      'detect: frame 3 empty',
      { stage: 'detect', file: 'f/003.fits' },
      { cause: new Error('inner') },
    );
    const p = errorPayload(e);
    expect(p).toMatchObject({
      code: 'E_STAGE_FAILED',
      message: 'detect: frame 3 empty',
      stage: 'detect',
      input: 'f/003.fits',
      cause: 'inner',
    });
    const b = errorBundle(e, { input: 'override' });
    expect((b.data[ERROR_MIME] as { input: string }).input).toBe('override');
    expect(b.data['text/plain']).toBe(
      'E_STAGE_FAILED: detect: frame 3 empty\n  stage: detect\n  input: override\n  cause: inner',
    );
  });

  it('wraps foreign errors as E_INTERNAL and rethrows from withErrorDisplay', async () => {
    expect(errorPayload(new TypeError('bad')).code).toBe('E_INTERNAL');
    expect(errorPayload('plain string').message).toBe('plain string');
    await expect(
      withErrorDisplay(() => {
        throw new RangeError('r');
      }),
    ).rejects.toThrow(RangeError);
    await expect(withErrorDisplay(async () => 5)).resolves.toBe(5);
  });
});
