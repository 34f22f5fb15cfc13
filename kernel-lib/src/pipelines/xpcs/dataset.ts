/**
 * Sample XPCS datasets for the tutorial notebook, the demo and tests: a simulated speckle series
 * (simulateSpeckleSeries: known decay time per q ring) written exactly as the APS 8-ID beamline
 * hands data to XPCS-Eigen `corr`, i.e. one directory holding one `.imm` frame file and one legacy
 * `.hdf` configuration (gladier-xpcs `crawl_clutch.py`: "a dataset is a directory with exactly
 * one .hdf and one .imm"). The generator's truth goes to a JSON file beside them.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { invalidArgument } from '../../errors/stagebook-error';
import { writeImm } from '../../formats/imm';
import type { Hdf5DatasetSpec } from '../../formats/hdf5';
import { editXpcsConfig, writeXpcsLegacyConfig } from '../../formats/xpcs';
import { simulateSpeckleSeries } from '../../simulate';
import { seededRandom } from '../../simulate/random';

/** Options of {@link writeSimulatedXpcsDataset}. */
export interface SimulatedXpcsDatasetOptions {
  /** Number of frames (default 400). */
  frames?: number;
  /** Detector size in pixels (square, default 48). */
  size?: number;
  /** Number of q rings (default 4). */
  rings?: number;
  /** Decay time of the innermost ring in frames (default 30); tau scales as q^-2. */
  tau0?: number;
  /** Mean photon count per pixel per frame (default 5). */
  meanCounts?: number;
  /** Speckle modes per pixel; contrast beta = 1/modes (default 2). */
  modes?: number;
  seed?: number;
  /** Delays per multi-tau level written to the config (default 4). */
  delaysPerLevel?: number;
  /** Frame period in seconds (default 0.01: a 100 Hz detector). */
  exposurePeriod?: number;
  /** X-ray wavelength in Angstrom, for the q values of the rings (default 1.127: 11 keV at 8-ID). */
  wavelength?: number;
  /**
   * A non-ideal detector and the corr settings that correct it: dark current, pixel efficiency
   * (flat field) and read noise, plus stride/average. Set: the frames are written as a dense IMM
   * with `darkFrames` dark frames first, and the configuration enables the matching corrections.
   */
  detector?: SimulatedDetectorOptions;
}

/** See SimulatedXpcsDatasetOptions.detector. */
export interface SimulatedDetectorOptions {
  /** Dark frames recorded before the data (default 20; 0 = no dark block). */
  darkFrames?: number;
  /** Mean dark pedestal in counts; each pixel gets 0.5x..1.5x of it (default 10). */
  pedestal?: number;
  /** Gaussian read noise in counts before rounding (default 0.25). */
  readNoise?: number;
  /** Pixel efficiencies are uniform in [1 - spread, 1 + spread] (default 0.15); flatfield = 1/efficiency. */
  flatSpread?: number;
  /** corr lld and sigma (defaults 0.5 and 1: one photon passes, read noise does not). */
  lld?: number;
  sigma?: number;
  strideFrames?: number;
  avgFrames?: number;
}

/** What {@link writeSimulatedXpcsDataset} wrote, with the generator's truth. */
export interface SimulatedXpcsDataset {
  /** Dataset directory (holds the two files below). */
  dir: string;
  name: string;
  imm: string;
  config: string;
  /** JSON file with the truth (the same content as `truth`). */
  truthFile: string;
  truth: XpcsGeneratorTruth;
}

/** The generator's parameters and its known answer per q ring. */
export interface XpcsGeneratorTruth {
  frames: number;
  size: number;
  seed: number;
  exposurePeriod: number;
  /** Contrast beta = 1/modes. */
  beta: number;
  /** Raw frames per correlated frame (stride x avg; 1 without a detector model): tau in correlated frames = tauFrames / this. */
  framesPerPoint: number;
  rings: Array<{ bin: number; radiusPx: number; q: number; pixels: number; tauFrames: number; tauSeconds: number }>;
}

const DETECTOR = { xPixelSize: 0.055, yPixelSize: 0.055, distance: 5000 }; // mm: a 55 um pixel detector at 5 m

function positiveInt(where: string, field: string, v: number, min = 1): number {
  if (!Number.isInteger(v) || v < min) invalidArgument(where, field, `must be an integer >= ${min}, got ${v}`);
  return v;
}

/** q (1/A) of a radius in pixels: q = 4 pi / lambda * sin(theta / 2), theta = atan(r * pixel / distance). */
export function qOfRadius(radiusPx: number, wavelength: number): number {
  const theta = Math.atan((radiusPx * DETECTOR.xPixelSize) / DETECTOR.distance);
  return ((4 * Math.PI) / wavelength) * Math.sin(theta / 2);
}

/**
 * Simulates a speckle series and writes `<dir>/<name>.imm` (sparse IMM, the Lambda/Rigaku style),
 * `<dir>/<name>.hdf` (legacy `/xpcs` + `/measurement` config with dqmap/sqmap and the rings' q
 * values) and `<dir>/<name>.truth.json`. Deterministic for a given seed.
 */
export async function writeSimulatedXpcsDataset(
  dir: string,
  name: string,
  options: SimulatedXpcsDatasetOptions = {},
): Promise<SimulatedXpcsDataset> {
  const where = 'writeSimulatedXpcsDataset';
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name))
    invalidArgument(where, 'name', `expected letters, digits, _ . - only, got ${JSON.stringify(name)}`);
  const frames = positiveInt(where, 'options.frames', options.frames ?? 400, 16);
  const size = positiveInt(where, 'options.size', options.size ?? 48, 16);
  const seed = options.seed ?? 2026;
  const exposurePeriod = options.exposurePeriod ?? 0.01;
  const wavelength = options.wavelength ?? 1.127;
  if (!(exposurePeriod > 0)) invalidArgument(where, 'options.exposurePeriod', `must be > 0, got ${exposurePeriod}`);
  const sim = simulateSpeckleSeries({
    frames,
    height: size,
    width: size,
    rings: options.rings ?? 4,
    tau0: options.tau0 ?? 30,
    meanCounts: options.meanCounts ?? 5,
    modes: options.modes ?? 2,
    seed,
  });
  await fsp.mkdir(dir, { recursive: true });
  const imm = path.join(dir, `${name}.imm`);
  const config = path.join(dir, `${name}.hdf`);
  const truthFile = path.join(dir, `${name}.truth.json`);
  const qList = sim.ringRadius.map((r) => qOfRadius(r, wavelength));
  const det = options.detector ? detectorModel(sim.frames.data, size * size, options.detector, seed) : null;
  const stack = det ? det.frames : sim.frames.data;
  const total = stack.length / (size * size);
  await writeImm(
    imm,
    { data: stack, shape: [total, size, size] },
    {
      compression: det ? 'dense' : 'sparse',
      preset: exposurePeriod,
      elapsed: Float64Array.from({ length: total }, (_, t) => t * exposurePeriod),
    },
  );
  await writeXpcsLegacyConfig(config, {
    dqmap: sim.dqmap,
    sqmap: sim.sqmap,
    shape: [size, size],
    delaysPerLevel: options.delaysPerLevel ?? 4,
    dataBegin: 1,
    dataEnd: total,
    inputFileLocal: path.basename(imm),
    dqlist: qList,
    sqlist: qList,
    detector: { ...DETECTOR, exposureTime: exposurePeriod, exposurePeriod },
  });
  if (det) await editXpcsConfig(config, det.config(size));
  const pixels = sim.tauPerRing.map((_, i) => sim.dqmap.reduce((n, v) => n + (v === i + 1 ? 1 : 0), 0));
  const truth: XpcsGeneratorTruth = {
    frames,
    size,
    seed,
    exposurePeriod,
    beta: sim.beta,
    framesPerPoint: det ? det.framesPerPoint : 1,
    rings: sim.tauPerRing.map((tau, i) => ({
      bin: i + 1,
      radiusPx: sim.ringRadius[i],
      q: qList[i],
      pixels: pixels[i],
      tauFrames: tau,
      tauSeconds: tau * exposurePeriod,
    })),
  };
  await fsp.writeFile(truthFile, JSON.stringify(truth, null, 2) + '\n');
  return { dir, name, imm, config, truthFile, truth };
}

/**
 * Detector model: photon counts thinned by each pixel's efficiency (a binomial thinning of a
 * Poisson count is Poisson with the reduced mean), plus a per-pixel dark pedestal and rounded
 * Gaussian read noise; `darkFrames` frames of pedestal + noise come first. Returns the frames and
 * the configuration that corrects them (corr: v = max(raw - dark mean, 0), kept if
 * v > lld + sigma dark std, times flatfield = 1/efficiency).
 */
function detectorModel(photons: Uint16Array, px: number, o: SimulatedDetectorOptions, seed: number) {
  const rnd = seededRandom(seed ^ 0x5eed);
  const darkFrames = o.darkFrames ?? 20;
  const spread = o.flatSpread ?? 0.15;
  const noise = o.readNoise ?? 0.25;
  const pedestalMean = o.pedestal ?? 10;
  const eff = Float64Array.from({ length: px }, () => 1 - spread + 2 * spread * rnd.uniform());
  const pedestal = Float64Array.from({ length: px }, () => pedestalMean * (0.5 + rnd.uniform()));
  const T = photons.length / px;
  const out = new Uint16Array((darkFrames + T) * px);
  const read = (p: number) => Math.max(0, Math.round(pedestal[p] + noise * rnd.normal()));
  for (let i = 0; i < darkFrames * px; i++) out[i] = read(i % px);
  for (let i = 0; i < T * px; i++) {
    const p = i % px;
    let kept = 0;
    for (let c = 0; c < photons[i]; c++) if (rnd.uniform() < eff[p]) kept++;
    out[darkFrames * px + i] = Math.min(65535, kept + read(p));
  }
  const stride = o.strideFrames ?? 1;
  const avg = o.avgFrames ?? 1;
  const int = (name: string, v: number): Hdf5DatasetSpec => ({
    path: `/xpcs/${name}`,
    data: Float64Array.of(v),
    shape: [1, 1],
    dtype: 'i8',
  });
  const config = (size: number): Hdf5DatasetSpec[] => [
    int('dark_begin_todo', darkFrames > 0 ? 1 : 0),
    int('dark_end_todo', darkFrames),
    int('data_begin_todo', darkFrames + 1),
    int('data_end_todo', darkFrames + T),
    int('data_begin', 1),
    int('data_end', darkFrames + T),
    int('stride_frames', stride),
    int('avg_frames', avg),
    // corr reads lld/sigma only with a dark block (configuration.cpp:164-178); without one they must be 0.
    { path: '/xpcs/lld', data: Float32Array.of(darkFrames > 0 ? (o.lld ?? 0.5) : 0), shape: [1, 1] },
    { path: '/xpcs/sigma', data: Float32Array.of(darkFrames > 0 ? (o.sigma ?? 1) : 0), shape: [1, 1] },
    { path: '/xpcs/flatfield_enabled', data: 'ENABLED' },
    { path: '/xpcs/compression', data: 'DISABLED' },
    {
      path: '/measurement/instrument/detector/flatfield',
      data: Float64Array.from(eff, (e) => 1 / e),
      shape: [size, size],
    },
  ];
  return { frames: out, config, framesPerPoint: stride * avg };
}
