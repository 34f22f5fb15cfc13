/**
 * A minimal PNG decoder for tests (8-bit greyscale/RGB/RGBA/palette, non-interlaced: what resvg
 * and our raster encoder write), to check that rendered plots have real, non-blank pixels.
 */
import { inflateSync } from 'node:zlib';

export interface DecodedPng {
  width: number;
  height: number;
  /** RGBA, 4 bytes per pixel. */
  rgba: Uint8Array;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

export function decodePng(buf: Uint8Array): DecodedPng {
  const b = Buffer.from(buf);
  if (b.readUInt32BE(0) !== 0x89504e47) throw new Error('decodePng: not a PNG');
  let off = 8;
  let width = 0;
  let height = 0;
  let colorType = 0;
  let palette: Buffer | undefined;
  let trns: Buffer | undefined;
  const idat: Buffer[] = [];
  while (off < b.length) {
    const len = b.readUInt32BE(off);
    const type = b.toString('latin1', off + 4, off + 8);
    const data = b.subarray(off + 8, off + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      if (data[8] !== 8 || data[12] !== 0)
        throw new Error(`decodePng: bit depth ${data[8]} / interlace ${data[12]} not supported`);
      colorType = data[9];
    } else if (type === 'PLTE') palette = data;
    else if (type === 'tRNS') trns = data;
    else if (type === 'IDAT') idat.push(data);
    off += 12 + len;
  }
  const channels = ({ 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as Record<number, number>)[colorType];
  if (!channels) throw new Error(`decodePng: colour type ${colorType}`);
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const px = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const v = raw[y * (stride + 1) + 1 + x];
      const a = x >= channels ? px[y * stride + x - channels] : 0;
      const up = y > 0 ? px[(y - 1) * stride + x] : 0;
      const c = x >= channels && y > 0 ? px[(y - 1) * stride + x - channels] : 0;
      const pred = f === 0 ? 0 : f === 1 ? a : f === 2 ? up : f === 3 ? (a + up) >> 1 : paeth(a, up, c);
      px[y * stride + x] = (v + pred) & 255;
    }
  }
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const s = px.subarray(i * channels, (i + 1) * channels);
    let rgb: number[];
    let alpha = 255;
    if (colorType === 3) {
      rgb = [palette![s[0] * 3], palette![s[0] * 3 + 1], palette![s[0] * 3 + 2]];
      alpha = trns && s[0] < trns.length ? trns[s[0]] : 255;
    } else if (channels <= 2) {
      rgb = [s[0], s[0], s[0]];
      if (channels === 2) alpha = s[1];
    } else {
      rgb = [s[0], s[1], s[2]];
      if (channels === 4) alpha = s[3];
    }
    rgba.set([...rgb, alpha], i * 4);
  }
  return { width, height, rgba };
}

/** Share of pixels that are neither transparent nor (near) white, and the number of distinct colours. */
export function inkStats(png: DecodedPng): { inked: number; colours: number } {
  let inked = 0;
  const colours = new Set<number>();
  const n = png.width * png.height;
  for (let i = 0; i < n; i++) {
    const [r, g, b, a] = png.rgba.subarray(i * 4, i * 4 + 4);
    colours.add((r << 16) | (g << 8) | b);
    if (a > 16 && (r < 235 || g < 235 || b < 235)) inked++;
  }
  return { inked: inked / n, colours: colours.size };
}
