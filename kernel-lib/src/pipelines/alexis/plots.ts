/**
 * Vega-Lite specs of the ALEXIS notebooks (simple, self-contained; rendered with showVegaLite):
 * availability timelines per channel, the XRS curve with the flare list marked, QUALITY counts per
 * channel, and registered images (north up, arcsec axes) with their peak clusters. Images travel as
 * small grayscale PNG data URIs in an `image` mark (a heatmap of rect marks would weigh megabytes).
 */
import { deflateSync } from 'node:zlib';
import type { CleanedImage } from './clean-types';
import type { PeakRow } from './peaks';

type Spec = Record<string, unknown>;

/** Availability rows: one point per file (minutes from the flare time, channel). */
export function availabilitySpec(
  rows: Array<{ flare: string; channel: string; minutes: number; status: string }>,
  title: string,
): Spec {
  return {
    title,
    data: { values: rows },
    mark: { type: 'tick', thickness: 2 },
    height: 18 * Math.max(1, new Set(rows.map((r) => r.channel)).size),
    encoding: {
      x: { field: 'minutes', type: 'quantitative', title: 'minutes from the flare time' },
      y: { field: 'channel', type: 'nominal', title: null },
      color: { field: 'status', type: 'nominal' },
      row: { field: 'flare', type: 'nominal', title: null },
    },
  };
}

/** XRS A/B (log flux) with the flare list as rules. */
export function xrsSpec(
  series: Array<{ time: string; channel: string; flux: number }>,
  flares: Array<{ time: string; label: string }>,
  title: string,
): Spec {
  return {
    title,
    width: 640,
    height: 220,
    layer: [
      {
        data: { values: series },
        mark: { type: 'line', strokeWidth: 1 },
        encoding: {
          x: { field: 'time', type: 'temporal', title: 'UTC' },
          y: { field: 'flux', type: 'quantitative', scale: { type: 'log' }, title: 'W m-2' },
          color: { field: 'channel', type: 'nominal', title: 'XRS' },
        },
      },
      {
        data: { values: flares },
        mark: { type: 'rule', strokeDash: [4, 3], color: 'firebrick' },
        encoding: { x: { field: 'time', type: 'temporal' } },
      },
      {
        data: { values: flares },
        mark: { type: 'text', dy: -100, color: 'firebrick', align: 'left', dx: 3 },
        encoding: { x: { field: 'time', type: 'temporal' }, text: { field: 'label' } },
      },
    ],
  };
}

/** Images per QUALITY code per channel. */
export function qualitySpec(rows: Array<{ channel: string; QUALITY: number; images: number }>, title: string): Spec {
  return {
    title,
    data: { values: rows },
    mark: 'bar',
    width: 360,
    encoding: {
      y: { field: 'channel', type: 'nominal', title: null },
      x: { field: 'images', type: 'quantitative', stack: 'zero' },
      color: { field: 'QUALITY', type: 'nominal' },
    },
  };
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** 8-bit grayscale PNG of `values` (row 0 at the TOP), scaled min..max -> 0..255 (sqrt stretch). */
export function grayPng(values: ArrayLike<number>, rows: number, cols: number, lo: number, hi: number): Buffer {
  const raw = Buffer.alloc(rows * (cols + 1));
  for (let r = 0; r < rows; r++) {
    raw[r * (cols + 1)] = 0;
    for (let c = 0; c < cols; c++) {
      const v = (values[r * cols + c] - lo) / (hi - lo || 1);
      raw[r * (cols + 1) + 1 + c] = Math.round(255 * Math.sqrt(Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0))));
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(cols, 0);
  ihdr.writeUInt32BE(rows, 4);
  ihdr[8] = 8;
  ihdr[9] = 0;
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A registered image as a PNG data URI, north up (FITS row 0 is south: flipped), binned to at most `size` px. */
export function imageDataUri(img: CleanedImage, size = 64): { uri: string; extent: [number, number, number, number] } {
  const [rows, cols] = img.shape;
  const bin = Math.max(1, Math.ceil(Math.max(rows, cols) / size));
  const r2 = Math.floor(rows / bin);
  const c2 = Math.floor(cols / bin);
  const out = new Float64Array(r2 * c2);
  for (let r = 0; r < r2; r++) {
    for (let c = 0; c < c2; c++) {
      let s = 0;
      for (let i = 0; i < bin; i++) for (let j = 0; j < bin; j++) s += img.data[(r * bin + i) * cols + c * bin + j];
      out[(r2 - 1 - r) * c2 + c] = s / (bin * bin);
    }
  }
  let hi = -Infinity;
  for (const v of out) if (v > hi) hi = v;
  const png = grayPng(out, r2, c2, 0, hi);
  // Pixel edges in arcsec with ALEXIS's convention x_hpc = (x - CRPIX1) * CDELT1 (0-based x).
  const x0 = (-0.5 - img.crpix1) * img.cdelt1;
  const x1 = (cols - 0.5 - img.crpix1) * img.cdelt1;
  const y0 = (-0.5 - img.crpix2) * img.cdelt2;
  const y1 = (rows - 0.5 - img.crpix2) * img.cdelt2;
  return { uri: `data:image/png;base64,${png.toString('base64')}`, extent: [x0, x1, y0, y1] };
}

/** One panel per channel: the image (north up, arcsec axes), cluster centroids and the injected/expected position. */
export function registeredImagesSpec(
  panels: Array<{ title: string; img: CleanedImage; clusters: PeakRow[]; target?: { x: number; y: number } }>,
  columns = 3,
): Spec {
  const charts = panels.map((p) => {
    const { uri, extent } = imageDataUri(p.img);
    const scale = { domain: [extent[0], extent[1]] };
    const yscale = { domain: [extent[2], extent[3]] };
    return {
      title: p.title,
      width: 130,
      height: 130,
      layer: [
        {
          data: { values: [{ url: uri, x: extent[0], x2: extent[1], y: extent[3], y2: extent[2] }] },
          mark: { type: 'image', aspect: false },
          encoding: {
            url: { field: 'url', type: 'nominal' },
            x: { field: 'x', type: 'quantitative', scale, title: 'x (arcsec)' },
            x2: { field: 'x2' },
            y: { field: 'y', type: 'quantitative', scale: yscale, title: 'y (arcsec)' },
            y2: { field: 'y2' },
          },
        },
        {
          data: {
            values: p.clusters
              .filter((c) => c.peaks_found)
              .map((c) => ({ x: c.dbscan_1_x_hpc, y: c.dbscan_1_y_hpc, members: c.dbscan_1_num_members })),
          },
          mark: { type: 'point', color: 'orange', size: 90, strokeWidth: 2 },
          encoding: {
            x: { field: 'x', type: 'quantitative', scale },
            y: { field: 'y', type: 'quantitative', scale: yscale },
            tooltip: [{ field: 'members', type: 'quantitative' }],
          },
        },
        ...(p.target
          ? [
              {
                data: { values: [p.target] },
                mark: { type: 'point', shape: 'cross', color: 'deepskyblue', size: 60 },
                encoding: {
                  x: { field: 'x', type: 'quantitative', scale },
                  y: { field: 'y', type: 'quantitative', scale: yscale },
                },
              },
            ]
          : []),
      ],
    };
  });
  const rowsOf: Spec[] = [];
  for (let i = 0; i < charts.length; i += columns) rowsOf.push({ hconcat: charts.slice(i, i + columns) });
  return { vconcat: rowsOf };
}
