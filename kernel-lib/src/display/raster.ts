/**
 * Images as rasters: an [h, w] array becomes one colour-mapped PNG (8-bit palette, 1 byte per
 * pixel) embedded once as a data URL, drawn by a Vega-Lite `image` mark, instead of one `rect`
 * mark per cell (~200 bytes of spec and SVG each, which forced block averaging to 32-40 cells).
 * Full resolution up to `maxSize` per axis (default 1024); larger images are block-averaged.
 * Colour maps are vega's own schemes, so the legend gradient matches the pixels.
 */
import { deflateSync } from 'node:zlib';
import { invalidArgument } from '../errors/stagebook-error';

/**
 * vega 6's continuous schemes sampled at 33 points (`scheme(name)(i / 32)`, generated once from
 * vega 6.4), so rasters are colour-mapped synchronously and match vega's legend gradient to within
 * one level after linear interpolation.
 */
const SCHEMES: Record<string, string> = {
  viridis:
    '440154470d6048196b482373472d7b4537814240863f4a893b528b375a8c34638d306b8e2c728e297a8e27828e23898e21918d1f988b1f9f8821a78528ae8032b57b3ebc744dc26c5dc9636fce5882d34c96d840abdc32c0e025d5e21beae51bfde725',
  inferno:
    '0000040403120b0724150b37210c4a2e0b5a3c0a654a0c6a57106d63146e70196e7c1e6c89226a962766a32c61af305cbb3755c63e4dd14545db4f3ce45933eb6528f1721ef67f14fa8d0bfb9c08fcab10fbba1ff9ca33f5d94af2e865f4f586fcffa4',
  magma:
    '0000040404120a0822130d331d104628115935106a43107551137c5d177f6a1c807621818225828f2a819c2f80a9327db6377ac33c75cf4170dc4869e65164ef5c5ff5695cf9785dfb8762fd9669fea571feb47cfec387fed194fde0a2fceeb0fcfdbf',
  plasma:
    '0d088722068f3105963f039c4d02a15901a56500a77201a87e03a88909a69511a29f1a9caa2396b32c8fbb3587c43e80cb4779d35072d9596ae06263e66c5deb7656f07f4ff48a48f89541fb9f3afcab33fdb72dfec428fbd125f9de24f5eb27f0f921',
  greys:
    'e2e2e2dededed9d9d9d5d5d5d0d0d0cbcbcbc6c6c6c0c0c0bbbbbbb5b5b5afafafa8a8a8a2a2a29c9c9c9595958f8f8f8888888282827c7c7c7676767070706a6a6a6464645e5e5e5858585151514a4a4a4343433b3b3b3434342c2c2c2525251e1e1e',
  cividis:
    '00205100265d012b6508316911366c1b3c6e25416e30476e3b4c6e46526d4f576e585d6e61636f686970706f717775737e7b758480758a8677918c789892789f9878a69f77afa675b7ac73c1b36fcaba6ad4c165dec85fe7cf58f0d652f7de4cfce647',
};

/** Names of the colour maps rasters support (vega scheme names). */
export const RASTER_SCHEMES = Object.keys(SCHEMES);

/** Palette index of masked / invalid pixels (the rest is the colour map, 0..254). */
const MASK_INDEX = 255;
const LEVELS = 255;

export interface RasterInput {
  data: ArrayLike<number>;
  /** [rows, cols]. */
  shape: [number, number];
  /** Colour by log10 (non-positive values get the lowest colour). Default false. */
  log?: boolean;
  /** Colour domain in data units (after log10 when `log`); default: 0.5th-99.5th percentile of valid values. */
  domain?: [number, number];
  /** Vega scheme name, one of {@link RASTER_SCHEMES} (default 'viridis'). */
  scheme?: string;
  /** Reverse the colour map (vega's `reverse: true`), e.g. 'greys' reversed = black to white. */
  reverse?: boolean;
  /** Pixels to show as masked (non-zero = masked), same length as data. */
  mask?: ArrayLike<number>;
  /** CSS colour of masked pixels (default mid grey). */
  maskColor?: string;
  /** 'lower': row 0 at the bottom (matplotlib origin='lower', solar north up); 'upper' (default): row 0 at the top. */
  origin?: 'upper' | 'lower';
  /** Largest size per axis before block averaging (default 1024). */
  maxSize?: number;
}

export interface Raster {
  /** `data:image/png;base64,...` */
  url: string;
  /** Pixels of the PNG (after block averaging). */
  width: number;
  height: number;
  /** Input pixels per PNG pixel. */
  block: number;
  /** The colour domain used (data units, log10 when `log`). */
  domain: [number, number];
  /** How many input pixels were masked or invalid. */
  masked: number;
}

/** Block-averages an [h, w] map to at most `maxSize` per axis (NaN cells ignored). */
export function downsampleMap(
  data: ArrayLike<number>,
  shape: [number, number],
  maxSize: number,
): { data: Float64Array; shape: [number, number]; block: number } {
  const [h, w] = shape;
  if (data.length !== h * w)
    invalidArgument('downsampleMap', 'data', `has ${data.length} values, shape [${h}, ${w}] needs ${h * w}`);
  const block = Math.max(1, Math.ceil(Math.max(h, w) / maxSize));
  if (block === 1) return { data: Float64Array.from(data), shape, block };
  const oh = Math.ceil(h / block);
  const ow = Math.ceil(w / block);
  const sum = new Float64Array(oh * ow);
  const count = new Float64Array(oh * ow);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = data[y * w + x];
      if (!Number.isFinite(v)) continue;
      const o = Math.floor(y / block) * ow + Math.floor(x / block);
      sum[o] += v;
      count[o]++;
    }
  }
  return { data: sum.map((s, i) => (count[i] ? s / count[i] : NaN)), shape: [oh, ow], block };
}

/** The q-th quantile (0..1) of finite values, by sorting a sample of at most 200 000 values. */
export function quantiles(values: ArrayLike<number>, qs: number[]): number[] {
  const step = Math.max(1, Math.floor(values.length / 200_000));
  const v: number[] = [];
  for (let i = 0; i < values.length; i += step) if (Number.isFinite(values[i])) v.push(values[i]);
  v.sort((a, b) => a - b);
  return qs.map((q) => (v.length ? v[Math.min(v.length - 1, Math.max(0, Math.round(q * (v.length - 1))))] : NaN));
}

function parseCssColor(c: string): [number, number, number] {
  const hex = /^#([0-9a-f]{6})$/i.exec(c);
  if (hex)
    return [parseInt(hex[1].slice(0, 2), 16), parseInt(hex[1].slice(2, 4), 16), parseInt(hex[1].slice(4, 6), 16)];
  invalidArgument('rasterImage', 'colour', `cannot parse ${c}`);
}

/** 255 colours of a scheme, linearly interpolated between its 33 samples. */
export function schemePalette(scheme: string, reverse = false): Array<[number, number, number]> {
  const hex = SCHEMES[scheme];
  if (!hex)
    invalidArgument('rasterImage', 'scheme', `unknown colour map "${scheme}" (one of ${RASTER_SCHEMES.join(', ')})`);
  const anchors = Array.from({ length: hex.length / 6 }, (_, i) =>
    [0, 2, 4].map((o) => parseInt(hex.slice(i * 6 + o, i * 6 + o + 2), 16)),
  );
  return Array.from({ length: LEVELS }, (_, i) => {
    const t = ((reverse ? LEVELS - 1 - i : i) / (LEVELS - 1)) * (anchors.length - 1);
    const k = Math.min(anchors.length - 2, Math.floor(t));
    const f = t - k;
    return [0, 1, 2].map((c) => Math.round(anchors[k][c] * (1 - f) + anchors[k + 1][c] * f)) as [
      number,
      number,
      number,
    ];
  });
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf: Buffer): number {
  let crc = 0xffffffff;
  for (const b of buf) crc = CRC_TABLE[(crc ^ b) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** An 8-bit palette PNG (colour type 3, filter 0 per row). */
export function encodePalettePng(
  indices: Uint8Array,
  width: number,
  height: number,
  colors: Array<[number, number, number]>,
): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 3; // palette
  const raw = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) raw.set(indices.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  const plte = Buffer.from(colors.flat());
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('PLTE', plte),
    pngChunk('IDAT', deflateSync(raw, { level: 9 })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Colour-maps an [h, w] array into a PNG data URL (see {@link RasterInput}). */
export function rasterImage(input: RasterInput): Raster {
  const [h, w] = input.shape;
  if (input.mask && input.mask.length !== input.data.length)
    invalidArgument('rasterImage', 'mask', `has ${input.mask.length} values, data has ${input.data.length}`);
  const values = new Float64Array(input.data.length);
  let masked = 0;
  for (let i = 0; i < values.length; i++) {
    const v = Number(input.data[i]);
    const bad = (input.mask && input.mask[i]) || !Number.isFinite(v);
    if (bad) masked++;
    // log of a non-positive value is -Infinity: drawn in the lowest colour (clamped), not as masked
    values[i] = bad ? NaN : input.log ? (v > 0 ? Math.log10(v) : -Infinity) : v;
  }
  const d = downsampleMap(values, [h, w], input.maxSize ?? 1024);
  const [lo, hi] = input.domain ?? (quantiles(d.data, [0.005, 0.995]) as [number, number]);
  const span = hi > lo ? hi - lo : 1;
  const [oh, ow] = d.shape;
  const idx = new Uint8Array(oh * ow);
  for (let y = 0; y < oh; y++) {
    // PNG row 0 is the top: with origin 'lower' the last data row goes first
    const src = input.origin === 'lower' ? oh - 1 - y : y;
    for (let x = 0; x < ow; x++) {
      const v = d.data[src * ow + x];
      idx[y * ow + x] = Number.isNaN(v)
        ? MASK_INDEX
        : Math.max(0, Math.min(LEVELS - 1, Math.round(((v - lo) / span) * (LEVELS - 1))));
    }
  }
  const colors = [
    ...schemePalette(input.scheme ?? 'viridis', input.reverse),
    parseCssColor(input.maskColor ?? '#9e9e9e'),
  ];
  const png = encodePalettePng(idx, ow, oh, colors);
  return {
    url: `data:image/png;base64,${png.toString('base64')}`,
    width: ow,
    height: oh,
    block: d.block,
    domain: [lo, hi],
    masked,
  };
}
