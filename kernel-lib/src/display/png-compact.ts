/**
 * Small PNG twins: resvg writes 32-bit RGBA, which for a plot over a noisy raster costs ~0.5 MB at
 * 1x. Plots hold few colours (a 255-level colour map, axis greys, a handful of marks), so an 8-bit
 * palette PNG of the same pixels is 3-6x smaller. Up to 256 colours it is exact; beyond, colours are
 * taken by frequency but only when no chosen colour is near (so a rare hue, such as the top of a
 * colour bar or a marker, still gets its entry), and every pixel maps to its nearest entry.
 */
import { encodePalettePng } from './raster';

const MAX_COLOURS = 256;
/** Squared RGB distance under which a colour counts as already represented (about 3 colour-map levels). */
const NEAR = 100;

function dist2(a: number, b: number): number {
  const dr = ((a >> 16) & 255) - ((b >> 16) & 255);
  const dg = ((a >> 8) & 255) - ((b >> 8) & 255);
  const db = (a & 255) - (b & 255);
  return dr * dr + dg * dg + db * db;
}

/** Frequent colours first, skipping near-duplicates; then fill up with the remaining ones by frequency. */
function choosePalette(counts: Map<number, number>): number[] {
  const byFreq = [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([c]) => c);
  if (byFreq.length <= MAX_COLOURS) return byFreq;
  const chosen: number[] = [];
  const taken = new Set<number>();
  for (const c of byFreq) {
    if (chosen.length === MAX_COLOURS) break;
    if (chosen.every((p) => dist2(c, p) >= NEAR)) {
      chosen.push(c);
      taken.add(c);
    }
  }
  for (const c of byFreq) {
    if (chosen.length === MAX_COLOURS) break;
    if (!taken.has(c)) chosen.push(c);
  }
  return chosen;
}

/** Encodes opaque RGBA pixels (alpha ignored: plots are rendered on white) as a palette PNG. */
export function compactPng(rgba: Uint8Array, width: number, height: number): Buffer {
  const n = width * height;
  const counts = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const c = (rgba[i * 4] << 16) | (rgba[i * 4 + 1] << 8) | rgba[i * 4 + 2];
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  const palette = choosePalette(counts);
  const index = new Map<number, number>(palette.map((c, i) => [c, i]));
  const nearest = (c: number): number => {
    let best = 0;
    let bestD = Infinity;
    for (const [i, p] of palette.entries()) {
      const d = dist2(c, p);
      if (d < bestD) {
        bestD = d;
        best = i;
      }
    }
    index.set(c, best); // cache: anti-aliased colours repeat
    return best;
  };
  const idx = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = (rgba[i * 4] << 16) | (rgba[i * 4 + 1] << 8) | rgba[i * 4 + 2];
    idx[i] = index.get(c) ?? nearest(c);
  }
  return encodePalettePng(
    idx,
    width,
    height,
    palette.map((c) => [(c >> 16) & 255, (c >> 8) & 255, c & 255]),
  );
}
