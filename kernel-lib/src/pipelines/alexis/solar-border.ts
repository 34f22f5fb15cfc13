/**
 * Solar-border (limb) finding for SXI frames. ALEXIS (`sxi_module.find_solar_borders`) runs a Canny
 * edge detector (sigma 3) and a Hough circle transform over radii 189..224 px and keeps the best
 * circle. Stagebook finds the same circle more cheaply: threshold the frame at half its 75th
 * percentile (the disc covers ~40% of an SXI frame), take the longest above-threshold run of each
 * row and column (its ends are limb points; detached features such as bad-readout stripes never
 * join the disc's run), fit a circle (Kasa least squares), drop points more than 3 px off and
 * refit. The centre is rounded to whole pixels, as Hough accumulators are. No circle with a radius
 * in ALEXIS's range and a good fit means "no border found" (QUALITY 2).
 */

/** ALEXIS's Hough radii (np.arange(189, 225)). */
export const SXI_RADIUS_RANGE: readonly [number, number] = [189, 224];

export interface SolarBorder {
  cx: number;
  cy: number;
  radius: number;
  points: number;
}

/** Percentile of every 7th value (a threshold needs no more precision; a full sort of 300k values costs 60 ms). */
function percentile(data: ArrayLike<number>, q: number): number {
  const a = new Float64Array(Math.ceil(data.length / 7));
  for (let i = 0, k = 0; i < data.length; i += 7, k++) a[k] = data[i];
  a.sort();
  return a[Math.min(a.length - 1, Math.floor(q * (a.length - 1)))];
}

/** Longest run of set mask values along a line (start, step, count); [first, last] indices along the line. */
function longestRun(mask: Uint8Array, start: number, step: number, n: number): [number, number] | undefined {
  let best: [number, number] | undefined;
  let s = -1;
  for (let k = 0, i = start; k <= n; k++, i += step) {
    const on = k < n && mask[i] === 1;
    if (on && s < 0) s = k;
    else if (!on && s >= 0) {
      if (!best || k - 1 - s > best[1] - best[0]) best = [s, k - 1];
      s = -1;
    }
  }
  return best;
}

/** Kasa circle fit: minimises sum((x^2 + y^2) + D x + E y + F)^2. */
function fitCircle(pts: Array<[number, number]>): { cx: number; cy: number; r: number } | undefined {
  let sx = 0,
    sy = 0,
    sxx = 0,
    syy = 0,
    sxy = 0,
    sxz = 0,
    syz = 0,
    sz = 0;
  const n = pts.length;
  for (const [x, y] of pts) {
    const z = x * x + y * y;
    sx += x;
    sy += y;
    sxx += x * x;
    syy += y * y;
    sxy += x * y;
    sxz += x * z;
    syz += y * z;
    sz += z;
  }
  // Normal equations of [x y 1] [D E F]^T = -z.
  const A = [
    [sxx, sxy, sx],
    [sxy, syy, sy],
    [sx, sy, n],
  ];
  const b = [-sxz, -syz, -sz];
  const det = (m: number[][]): number =>
    m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
    m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
    m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
  const d = det(A);
  if (!Number.isFinite(d) || Math.abs(d) < 1e-9) return undefined;
  const col = (i: number): number[][] => A.map((row, r) => row.map((v, c) => (c === i ? b[r] : v)));
  const D = det(col(0)) / d;
  const E = det(col(1)) / d;
  const F = det(col(2)) / d;
  const cx = -D / 2;
  const cy = -E / 2;
  const r2 = cx * cx + cy * cy - F;
  return r2 > 0 ? { cx, cy, r: Math.sqrt(r2) } : undefined;
}

/** The solar limb of a frame (0-based pixel centre), or undefined when none is found. */
export function findSolarBorder(data: ArrayLike<number>, rows: number, cols: number): SolarBorder | undefined {
  const t = 0.5 * percentile(data, 0.75);
  if (!(t > 0)) return undefined;
  const mask = new Uint8Array(rows * cols);
  for (let i = 0; i < mask.length; i++) mask[i] = data[i] > t ? 1 : 0;
  let pts: Array<[number, number]> = [];
  for (let r = 0; r < rows; r++) {
    const run = longestRun(mask, r * cols, 1, cols);
    if (run && run[1] - run[0] >= 40 && run[0] > 0 && run[1] < cols - 1) pts.push([run[0], r], [run[1], r]);
  }
  for (let c = 0; c < cols; c++) {
    const run = longestRun(mask, c, cols, rows);
    if (run && run[1] - run[0] >= 40 && run[0] > 0 && run[1] < rows - 1) pts.push([c, run[0]], [c, run[1]]);
  }
  if (pts.length < 50) return undefined;
  let fit = fitCircle(pts);
  for (let iter = 0; iter < 3 && fit; iter++) {
    const f = fit;
    const kept = pts.filter(([x, y]) => Math.abs(Math.hypot(x - f.cx, y - f.cy) - f.r) <= 3);
    if (kept.length < 50) return undefined;
    pts = kept;
    fit = fitCircle(pts);
  }
  if (!fit) return undefined;
  const rms = Math.sqrt(
    pts.reduce((a, [x, y]) => a + (Math.hypot(x - fit!.cx, y - fit!.cy) - fit!.r) ** 2, 0) / pts.length,
  );
  const radius = Math.round(fit.r);
  if (rms > 2 || radius < SXI_RADIUS_RANGE[0] || radius > SXI_RADIUS_RANGE[1]) return undefined;
  return { cx: Math.round(fit.cx), cy: Math.round(fit.cy), radius, points: pts.length };
}
