/**
 * XPCS and solar plots a scientist would accept (issue 12, point 3): fitted tau and beta in each g2
 * panel's legend, no empty facets, the diffusion fit on tau(q), the mask on the pattern, solar
 * images north up on arcsec axes with every peak and centroid, and axis labels that never overlap.
 */
import { describe, expect, it } from 'vitest';
import { renderVegaLiteSvg } from '../../display';
import { hpcX, hpcY, solarImageSpec } from '../alexis/solar-image-plot';
import {
  contrastBaselineSpec,
  diffusionFit,
  g2GridSpecs,
  intensitySpec,
  scatteringPatternSpecs,
  tauVsQSpec,
  twoTimeSpec,
} from './plots';

const taus = Array.from({ length: 30 }, (_, i) => 2 ** (i / 3));
const fit = (tau: number): { baseline: number; beta: number; tau: number; exponent: number } => ({
  baseline: 1,
  beta: 0.3,
  tau,
  exponent: 1,
});

describe('g2 grid', () => {
  it('names the fitted tau and beta in each panel legend, skips q bins without data and fills the grid', () => {
    const g2 = [10, 5, 2, 1, 0.5].map((t) => taus.map((x) => 1 + 0.3 * Math.exp((-2 * x) / t)));
    g2[2] = taus.map(() => NaN); // a q bin without data
    const [page] = g2GridSpecs({
      taus,
      g2,
      stderr: g2.map((c) => c.map(() => 0.01)),
      labels: ['a', 'b', 'c', 'd', 'e'],
      fits: [10, 5, 2, 1, 0.5].map(fit),
      timeScale: 0.01,
    });
    const values = (page.data as { values: Array<{ panel: string; series: string }> }).values;
    expect(new Set(values.map((v) => v.panel))).toEqual(new Set(['a', 'b', 'd', 'e']));
    expect(new Set(values.filter((v) => v.panel === 'a').map((v) => v.series))).toEqual(
      new Set(['g2 ± 1σ', 'fit: τ = 0.1 s, β = 0.3']),
    );
    expect(page.columns).toBe(2); // 4 panels: 2 x 2, no empty facet
    expect(page.resolve).toMatchObject({ legend: { color: 'independent' } });
  });
});

describe('tau(q)', () => {
  it('recovers D from tau = 1/(D q^2) and draws the diffusion line in the legend', () => {
    const rows = [1e-3, 2e-3, 4e-3].map((q) => ({ q, tau: 1 / (2.5e5 * q * q), tauErr: 0.1 / (2.5e5 * q * q) }));
    expect(diffusionFit(rows)!.D).toBeCloseTo(2.5e5, 3);
    const spec = tauVsQSpec(rows);
    const lines = (spec.data as { values: Array<{ source: string }> }).values.filter((v) =>
      v.source.startsWith('diffusion: D = 2.5e+5'),
    );
    expect(lines.length).toBe(20);
    expect(
      JSON.stringify(contrastBaselineSpec([{ q: 1e-3, beta: 0.3, betaErr: 0.01, baseline: 1, baselineErr: 0.001 }])),
    ).toContain('contrast β');
  });
});

describe('scattering pattern', () => {
  it('is a linear and a log raster with the masked pixels counted in the subtitle', () => {
    const n = 32;
    const data = Float64Array.from({ length: n * n }, (_, i) => 1 + (i % n));
    const binMap = Int32Array.from({ length: n * n }, (_, i) => (i % n < 4 ? 0 : 1));
    const [linear, log] = scatteringPatternSpecs({ data, shape: [n, n], binMap });
    for (const s of [linear, log])
      expect((s.title as { subtitle: string }).subtitle).toContain(`${4 * n} masked pixels`);
    expect(JSON.stringify(log)).toContain('log10');
    expect(twoTimeSpec(new Float64Array(64 * 64).fill(1), 64).layer).toBeDefined();
  });
});

describe('solar image', () => {
  it('is north up on helioprojective arcsec axes from CRPIX/CDELT, with every peak and centroid', () => {
    const wcs = { crpix1: 256.5, crpix2: 256.5, cdelt1: 4.8, cdelt2: 4.8 };
    const data = Float32Array.from({ length: 512 * 512 }, (_, i) => 1 + (i % 512));
    const peaks = Array.from({ length: 23 }, (_, i) => ({ col: 10 * i, row: 5 * i }));
    const spec = solarImageSpec({
      data,
      shape: [512, 512],
      wcs,
      title: 'aia',
      peaks,
      centroids: [{ col: 100.5, row: 50.5, label: 'c0' }],
    });
    const layers = spec.layer as Array<{
      encoding: {
        x?: { scale?: { domain?: number[] } };
        y?: { scale?: { domain?: number[]; reverse?: boolean } };
        stroke?: unknown;
      };
      data: { values: Array<{ x: number; y: number }> };
    }>;
    expect(layers[0].encoding.x!.scale!.domain).toEqual([(0.5 - 256.5) * 4.8, (512.5 - 256.5) * 4.8]);
    expect(layers[0].encoding.y!.scale!.domain).toEqual([(0.5 - 256.5) * 4.8, (512.5 - 256.5) * 4.8]); // bottom < top: north up
    expect(layers[0].encoding.y!.scale!.reverse).toBeUndefined();
    const marks = layers.filter((l) => l.encoding.stroke);
    expect(marks.map((l) => l.data.values.length)).toEqual([23, 1]);
    expect(marks[1].data.values[0]).toMatchObject({ x: hpcX(wcs, 100.5), y: hpcY(wcs, 50.5) });
    expect(hpcX(wcs, 255.5)).toBe(0); // the reference pixel (1-based 256.5) is at 0 arcsec
  });
});

describe('axis labels', () => {
  /** x-axis labels of an SVG as [centre x, text]; DejaVu Sans 10 px averages ~6.2 px per character. */
  function xLabels(svg: string): Array<{ x: number; text: string }> {
    const group = svg.slice(svg.indexOf('role-axis-label'), svg.indexOf('</g>', svg.indexOf('role-axis-label')));
    return [...group.matchAll(/<text[^>]*transform="translate\(([-\d.]+),[-\d.]+\)"[^>]*>([^<]*)<\/text>/g)].map(
      (m) => ({ x: Number(m[1]), text: m[2] }),
    );
  }

  it('never overlap on the intensity-vs-time axis, at any width', async () => {
    const frameSum = Float64Array.from({ length: 100_000 }, (_, i) => 5 + Math.sin(i / 100));
    for (const width of [120, 200, 320, 500, 900]) {
      const labels = xLabels(await renderVegaLiteSvg(intensitySpec(frameSum, { timeScale: 0.000123, width })));
      expect(labels.length, `width ${width}`).toBeGreaterThanOrEqual(2);
      for (let i = 1; i < labels.length; i++) {
        const gap = labels[i].x - labels[i - 1].x;
        const need = ((labels[i].text.length + labels[i - 1].text.length) / 2) * 6.2;
        expect(gap, `width ${width}: "${labels[i - 1].text}" and "${labels[i].text}" overlap`).toBeGreaterThan(need);
      }
    }
  });
});
