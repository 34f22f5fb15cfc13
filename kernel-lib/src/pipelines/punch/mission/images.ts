/**
 * The image work of the simulated mission: a K-corona model seen through PUNCH's three polarizers
 * (-60, 0, +60 deg) and clear, by four observatories rolled at different angles; the calibration
 * that undoes bias, vignetting and roll (the roll with wasm-core's bicubic warp); the polarizer
 * triplet solved for total (B) and polarized (pB) brightness; mosaics; a radial background
 * subtraction. Small and honest: the tests check that L2 recovers the model's B and pB.
 */
import { warpAffine } from '../../../numeric/resample/warp';

/** Polarizer angle of each type code, radians (PUNCH's M/Z/P polarizers). */
export const POLARIZER_ANGLE: Readonly<Record<string, number>> = {
  PM: (-60 * Math.PI) / 180,
  PZ: 0,
  PP: (60 * Math.PI) / 180,
};

/** Bias (DN) every raw image carries. */
export const BIAS = 100;

/** Roll of each observatory, degrees (simulated: the three WFIs 120 deg apart, as PUNCH's constellation). */
export const OBSERVATORY_ROLL: Readonly<Record<string, number>> = { '1': 0, '2': 120, '3': 240, '4': 60 };

/** Radius (pixels from the centre) of the occulter: inside it there is no data. */
export function occulterRadius(size: number): number {
  return size * 0.12;
}

/** Vignetting: 1 at the centre, 0.6 at the corners (a smooth radial fall-off). */
export function vignetting(size: number, row: number, col: number): number {
  const c = (size - 1) / 2;
  const r = Math.hypot(row - c, col - c) / (c * Math.SQRT2);
  return 1 - 0.4 * r * r;
}

/**
 * Model sky: B and pB at (row, col) in the sky frame at time `t` (hours). B falls off as r^-3 with
 * streamers modulated by position angle (rotating slowly with time); pB is a fixed fraction of B
 * growing with r. `polAngle` is the tangential direction (pB is polarized tangentially).
 */
export function modelSky(
  size: number,
  row: number,
  col: number,
  tHours: number,
): { B: number; pB: number; phi: number } {
  const c = (size - 1) / 2;
  const dx = col - c;
  const dy = row - c;
  const r = Math.hypot(dx, dy) / (size / 2);
  if (r * (size / 2) < occulterRadius(size)) return { B: NaN, pB: NaN, phi: 0 };
  const pa = Math.atan2(dy, dx);
  const streamers = 1 + 0.6 * Math.cos(2 * (pa - 0.05 * tHours)) ** 2;
  const B = (1000 * streamers) / Math.max(r, 0.05) ** 3;
  const pB = B * Math.min(0.8, 0.3 + 0.4 * r);
  return { B, pB, phi: pa + Math.PI / 2 };
}

/** Deterministic PRNG (mulberry32) for noise. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A raw (L0) image: the sky brightness through the polarizer (Malus: 0.5(B - pB cos 2(theta - phi)),
 * theta in the sky frame is the polarizer angle plus the roll), seen rolled, vignetted, plus bias and
 * Gaussian noise (sigma 0.5 DN).
 */
export function simulateRaw(
  size: number,
  fileType: string,
  rollDeg: number,
  tHours: number,
  seed: number,
): Float32Array {
  const out = new Float32Array(size * size);
  const roll = (rollDeg * Math.PI) / 180;
  const c = (size - 1) / 2;
  const rand = rng(seed);
  const theta = POLARIZER_ANGLE[fileType];
  for (let row = 0; row < size; row++)
    for (let col = 0; col < size; col++) {
      // detector pixel -> sky pixel: rotate by the roll about the centre
      const x = col - c;
      const y = row - c;
      const sx = c + x * Math.cos(roll) - y * Math.sin(roll);
      const sy = c + x * Math.sin(roll) + y * Math.cos(roll);
      const { B, pB, phi } = modelSky(size, sy, sx, tHours);
      let signal = 0;
      if (Number.isFinite(B)) signal = theta === undefined ? B : 0.5 * (B - pB * Math.cos(2 * (theta + roll - phi)));
      const noise = Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand()) * 0.5;
      out[row * size + col] = BIAS + signal * vignetting(size, row, col) + noise;
    }
  return out;
}

/**
 * L0 → L1: remove bias and vignetting, mask the occulter, and roll the image to the sky frame with
 * the bicubic warp (wasm-core `image` family; skimage.transform.warp semantics). Outside the field
 * is NaN.
 */
export function calibrate(raw: ArrayLike<number>, size: number, rollDeg: number): Float64Array {
  const flat = new Float64Array(size * size);
  const c = (size - 1) / 2;
  for (let row = 0; row < size; row++)
    for (let col = 0; col < size; col++) {
      const i = row * size + col;
      const inside = Math.hypot(row - c, col - c) >= occulterRadius(size) + 1;
      flat[i] = inside ? (raw[i] - BIAS) / vignetting(size, row, col) : 0;
    }
  // output (sky) pixel -> input (detector) pixel: rotate by -roll about the centre
  const a = (-rollDeg * Math.PI) / 180;
  const cos = Math.cos(a);
  const sin = Math.sin(a);
  const inverse = [cos, -sin, c - cos * c + sin * c, sin, cos, c - sin * c - cos * c];
  const sky = warpAffine({ data: flat, shape: [size, size] }, { inverse, cval: 0, clip: false });
  // where the rolled detector does not cover the sky frame: warp a coverage map the same way
  const cover = warpAffine(
    { data: new Float64Array(size * size).fill(1), shape: [size, size] },
    { inverse, cval: 0, clip: false },
  );
  for (let row = 0; row < size; row++)
    for (let col = 0; col < size; col++) {
      const i = row * size + col;
      if (cover[i] < 0.999 || Math.hypot(row - c, col - c) < occulterRadius(size) + 2) sky[i] = NaN;
    }
  return sky;
}

/**
 * Solves the polarizer triplet for B and pB. With I_k = 0.5(B - pB cos 2(theta_k - phi)) and
 * angles 120 deg apart, sum_k I_k = 1.5 B and the cos/sin-weighted sums give pB (DeForest et al.
 * 2022, the "MZP" system): B = (2/3) sum I, pB = (4/3) |sum I exp(2i theta)|.
 */
export function solveTriplet(m: Float64Array, z: Float64Array, p: Float64Array): { B: Float64Array; pB: Float64Array } {
  const B = new Float64Array(m.length);
  const pB = new Float64Array(m.length);
  const ims: Array<[Float64Array, number]> = [
    [m, POLARIZER_ANGLE.PM],
    [z, POLARIZER_ANGLE.PZ],
    [p, POLARIZER_ANGLE.PP],
  ];
  for (let i = 0; i < m.length; i++) {
    let sum = 0;
    let qc = 0;
    let qs = 0;
    for (const [im, th] of ims) {
      sum += im[i];
      qc += im[i] * Math.cos(2 * th);
      qs += im[i] * Math.sin(2 * th);
    }
    B[i] = (2 / 3) * sum;
    pB[i] = (4 / 3) * Math.hypot(qc, qs);
  }
  return { B, pB };
}

/** Mean of the finite values per pixel (NaN where no image has data). */
export function mosaic(images: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(images[0].length);
  for (let i = 0; i < out.length; i++) {
    let s = 0;
    let n = 0;
    for (const im of images)
      if (Number.isFinite(im[i])) {
        s += im[i];
        n++;
      }
    out[i] = n ? s / n : NaN;
  }
  return out;
}

/** Subtracts the median of each integer-radius ring (a radial background model), keeping NaN. */
export function subtractRadialBackground(image: Float64Array, size: number): Float64Array {
  const c = (size - 1) / 2;
  const rings = new Map<number, number[]>();
  const ringOf = (i: number): number => Math.round(Math.hypot(Math.floor(i / size) - c, (i % size) - c));
  for (let i = 0; i < image.length; i++)
    if (Number.isFinite(image[i])) {
      const r = ringOf(i);
      (rings.get(r) ?? rings.set(r, []).get(r)!).push(image[i]);
    }
  const median = new Map<number, number>();
  for (const [r, v] of rings) {
    v.sort((a, b) => a - b);
    median.set(r, v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2);
  }
  return image.map((v, i) => (Number.isFinite(v) ? v - (median.get(ringOf(i)) ?? 0) : NaN));
}

/** 2x2 binning (mean of the finite values) for quick-look products. */
export function bin2(image: Float64Array, size: number): { data: Float64Array; size: number } {
  const h = Math.floor(size / 2);
  const out = new Float64Array(h * h);
  for (let r = 0; r < h; r++)
    for (let c = 0; c < h; c++) {
      const px = [
        image[2 * r * size + 2 * c],
        image[2 * r * size + 2 * c + 1],
        image[(2 * r + 1) * size + 2 * c],
        image[(2 * r + 1) * size + 2 * c + 1],
      ];
      const ok = px.filter(Number.isFinite);
      out[r * h + c] = ok.length ? ok.reduce((a, b) => a + b, 0) / ok.length : NaN;
    }
  return { data: out, size: h };
}
