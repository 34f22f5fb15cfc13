/** Rasters and image plots: full resolution, orientation, mask, one embedded raster, compact PNG twins. */
import { describe, expect, it } from 'vitest';
import { decodePng, inkStats } from '../../../test/support/png-decode';
import { imageSpec } from './image-plot';
import { compactPng } from './png-compact';
import { rasterImage, schemePalette } from './raster';
import { vegaLiteBundle } from './vega';

function pixels(url: string): ReturnType<typeof decodePng> {
  return decodePng(Buffer.from(url.replace(/^data:image\/png;base64,/, ''), 'base64'));
}

describe('rasterImage', () => {
  it('keeps full resolution up to the cap and block-averages beyond it', () => {
    const r = rasterImage({ data: new Float32Array(512 * 512).map((_, i) => i % 7), shape: [512, 512] });
    expect([r.width, r.height, r.block]).toEqual([512, 512, 1]);
    const big = rasterImage({ data: new Float32Array(2048 * 1500), shape: [1500, 2048] });
    expect([big.width, big.height, big.block]).toEqual([1024, 750, 2]);
  });

  it("puts row 0 at the bottom with origin 'lower' and at the top with 'upper'; masked pixels are grey", () => {
    // 2 rows: row 0 all 0 (lowest colour), row 1 all 1 (highest); pixel (row 1, col 1) masked
    const data = [0, 0, 1, 1];
    const lowest = schemePalette('viridis')[0];
    const lower = pixels(rasterImage({ data, shape: [2, 2], origin: 'lower', domain: [0, 1], mask: [0, 0, 0, 1] }).url);
    expect(Array.from(lower.rgba.subarray(4 * 2, 4 * 2 + 3))).toEqual(lowest); // PNG bottom-left = data row 0
    expect(Array.from(lower.rgba.subarray(4, 7))).toEqual([0x9e, 0x9e, 0x9e]); // PNG top-right = data (1, 1), masked
    const upper = pixels(rasterImage({ data, shape: [2, 2], origin: 'upper', domain: [0, 1] }).url);
    expect(Array.from(upper.rgba.subarray(0, 3))).toEqual(lowest); // PNG top-left = data row 0
  });

  it('colours log10 of non-positive values with the lowest colour, not as masked', () => {
    const r = rasterImage({ data: [-1, 0, 10, 100], shape: [2, 2], log: true, domain: [1, 2] });
    const p = pixels(r.url);
    expect(Array.from(p.rgba.subarray(0, 3))).toEqual(schemePalette('viridis')[0]);
    expect(r.masked).toBe(0);
  });
});

describe('imageSpec', () => {
  const data = Float64Array.from({ length: 200 * 300 }, (_, i) => Math.sin(i / 50) + (i % 300) / 300);

  it('is one image mark with the raster embedded once, not rect marks, plus every overlay point', () => {
    const peaks = Array.from({ length: 30 }, (_, i) => ({ x: i * 10, y: i * 5 }));
    const spec = imageSpec({
      data,
      shape: [200, 300],
      title: 't',
      overlays: [
        { name: 'peaks (30)', points: peaks },
        { name: 'centroids (2)', points: peaks.slice(0, 2), shape: 'cross', color: '#ff2bd6' },
      ],
    });
    const json = JSON.stringify(spec);
    expect((json.match(/data:image\/png;base64,/g) ?? []).length).toBe(1);
    expect(json).not.toContain('"rect"');
    const layers = spec.layer as Array<{
      mark: { type: string };
      data: { values: unknown[] };
      encoding: Record<string, unknown>;
    }>;
    expect(layers[0].mark.type).toBe('image');
    expect(layers.filter((l) => l.encoding.stroke && l.data.values.length === 30)).toHaveLength(1);
    expect(layers.filter((l) => l.encoding.stroke && l.data.values.length === 2)).toHaveLength(1);
    expect(spec.height).toBe(Math.round(((spec.width as number) * 200) / 300)); // square pixels
  });

  it('renders a 1x palette PNG twin with the image and no SVG twin', async () => {
    const b = await vegaLiteBundle(imageSpec({ data, shape: [200, 300], title: 'image', colorTitle: 'value' }));
    expect(b.data['image/svg+xml']).toBeUndefined();
    expect(b.data['text/markdown']).toBeUndefined();
    const png = decodePng(Buffer.from(b.data['image/png'] as string, 'base64'));
    expect(png.width).toBeLessThan(700); // 1x
    expect(inkStats(png).inked).toBeGreaterThan(0.3);
  });
});

describe('compactPng', () => {
  it('is exact up to 256 colours', () => {
    const rgba = new Uint8Array(16 * 16 * 4).map((_, i) => (i % 4 === 3 ? 255 : (i * 37) % 256));
    const back = decodePng(compactPng(rgba, 16, 16));
    for (let i = 0; i < 256; i++)
      expect(Array.from(back.rgba.subarray(i * 4, i * 4 + 3))).toEqual(Array.from(rgba.subarray(i * 4, i * 4 + 3)));
  });
});
