/**
 * A physically meaningful XPCS speckle series with known decay times, for tutorials, the demo and
 * tests. Each pixel sees `modes` independent complex Gaussian speckle fields, each an AR(1) process
 * E(t+1) = rho E(t) + sqrt(1 - rho^2) n(t) with rho = exp(-1/tau), so the field correlation is
 * g1(t) = exp(-t/tau) and the intensity autocorrelation (Siegert relation) is
 *   g2(t) = 1 + beta exp(-2 t / tau),   beta = 1 / modes   (partial coherence).
 * Counts are Poisson with the pixel's mean, which leaves g2 at lags > 0 unchanged. The decay time
 * depends on the q ring as for Brownian diffusion: tau(q) = 1 / (D q^2).
 */
import { StagebookError } from '../errors/stagebook-error';
import type { Frames } from '../numeric/frames';
import { seededRandom } from './random';

export interface SpeckleOptions {
  frames: number;
  height: number;
  width: number;
  /** Number of q rings (dynamic bins) around the beam centre (default 4). */
  rings?: number;
  /** Decay time of the innermost ring in frames (default 40); ring r decays as tau0 * (q0/q_r)^2. */
  tau0?: number;
  /** Mean photon count per pixel per frame (default 4). */
  meanCounts?: number;
  /** Independent speckle modes per pixel: contrast beta = 1/modes (default 2). */
  modes?: number;
  seed?: number;
}

export interface SpeckleSeries {
  frames: Frames & { data: Uint16Array };
  /** Dynamic q-bin map (1-based rings, 0 = excluded), H*W. */
  dqmap: Int32Array;
  /** Static map (here equal to dqmap). */
  sqmap: Int32Array;
  /** True decay time per ring (index ring-1), frames. */
  tauPerRing: number[];
  /** Contrast beta = 1/modes. */
  beta: number;
  /** Mean radius of each ring in pixels (a stand-in for q). */
  ringRadius: number[];
}

function ringMap(h: number, w: number, rings: number): { map: Int32Array; radius: number[] } {
  const cy = (h - 1) / 2;
  const cx = (w - 1) / 2;
  const rMin = 2;
  const rMax = Math.min(cy, cx);
  const step = (rMax - rMin) / rings;
  const map = new Int32Array(h * w);
  const sum = new Array<number>(rings).fill(0);
  const count = new Array<number>(rings).fill(0);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const r = Math.hypot(y - cy, x - cx);
      const ring = Math.floor((r - rMin) / step);
      if (r < rMin || ring >= rings) continue;
      map[y * w + x] = ring + 1;
      sum[ring] += r;
      count[ring]++;
    }
  }
  return { map, radius: sum.map((s, i) => s / Math.max(count[i], 1)) };
}

/** Simulates the series (deterministic for a given seed). */
export function simulateSpeckleSeries(options: SpeckleOptions): SpeckleSeries {
  const { frames: T, height: H, width: W } = options;
  const rings = options.rings ?? 4;
  const modes = options.modes ?? 2;
  const mean = options.meanCounts ?? 4;
  if (![T, H, W, rings, modes].every((v) => Number.isInteger(v) && v > 0) || H < 8 || W < 8) {
    throw new StagebookError(
      'E_INVALID_ARGUMENT',
      'simulateSpeckleSeries: frames, height, width (>= 8), rings and modes must be positive integers',
      { where: 'simulateSpeckleSeries' },
    );
  }
  const { map, radius } = ringMap(H, W, rings);
  const tau0 = options.tau0 ?? 40;
  const tauPerRing = radius.map((r) => tau0 * (radius[0] / r) ** 2);
  const rnd = seededRandom(options.seed ?? 1);
  const data = new Uint16Array(T * H * W);
  const re = new Float64Array(H * W * modes);
  const im = new Float64Array(H * W * modes);
  for (let i = 0; i < re.length; i++) {
    re[i] = rnd.normal() / Math.SQRT2;
    im[i] = rnd.normal() / Math.SQRT2;
  }
  const rho = new Float64Array(H * W).map((_, p) => Math.exp(-1 / (map[p] ? tauPerRing[map[p] - 1] : tau0)));
  for (let t = 0; t < T; t++) {
    for (let p = 0; p < H * W; p++) {
      let intensity = 0;
      const a = rho[p];
      const b = Math.sqrt(1 - a * a) / Math.SQRT2;
      for (let m = 0; m < modes; m++) {
        const k = p * modes + m;
        if (t > 0) {
          re[k] = a * re[k] + b * rnd.normal();
          im[k] = a * im[k] + b * rnd.normal();
        }
        intensity += re[k] * re[k] + im[k] * im[k];
      }
      data[t * H * W + p] = Math.min(65535, rnd.poisson((mean * intensity) / modes));
    }
  }
  return {
    frames: { data, shape: [T, H, W] },
    dqmap: map,
    sqmap: map.slice(),
    tauPerRing,
    beta: 1 / modes,
    ringRadius: radius,
  };
}
