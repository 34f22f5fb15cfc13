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
import { writeXpcsLegacyConfig } from '../../formats/xpcs';
import { simulateSpeckleSeries } from '../../simulate';

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
export async function writeSimulatedXpcsDataset(dir: string, name: string, options: SimulatedXpcsDatasetOptions = {}): Promise<SimulatedXpcsDataset> {
  const where = 'writeSimulatedXpcsDataset';
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)) invalidArgument(where, 'name', `expected letters, digits, _ . - only, got ${JSON.stringify(name)}`);
  const frames = positiveInt(where, 'options.frames', options.frames ?? 400, 16);
  const size = positiveInt(where, 'options.size', options.size ?? 48, 16);
  const seed = options.seed ?? 2026;
  const exposurePeriod = options.exposurePeriod ?? 0.01;
  const wavelength = options.wavelength ?? 1.127;
  if (!(exposurePeriod > 0)) invalidArgument(where, 'options.exposurePeriod', `must be > 0, got ${exposurePeriod}`);
  const sim = simulateSpeckleSeries({
    frames, height: size, width: size, rings: options.rings ?? 4, tau0: options.tau0 ?? 30,
    meanCounts: options.meanCounts ?? 5, modes: options.modes ?? 2, seed,
  });
  await fsp.mkdir(dir, { recursive: true });
  const imm = path.join(dir, `${name}.imm`);
  const config = path.join(dir, `${name}.hdf`);
  const truthFile = path.join(dir, `${name}.truth.json`);
  const qList = sim.ringRadius.map((r) => qOfRadius(r, wavelength));
  await writeImm(imm, sim.frames, { compression: 'sparse', preset: exposurePeriod, elapsed: Float64Array.from({ length: frames }, (_, t) => t * exposurePeriod) });
  await writeXpcsLegacyConfig(config, {
    dqmap: sim.dqmap, sqmap: sim.sqmap, shape: [size, size], delaysPerLevel: options.delaysPerLevel ?? 4,
    dataBegin: 1, dataEnd: frames, inputFileLocal: path.basename(imm), dqlist: qList, sqlist: qList,
    detector: { ...DETECTOR, exposureTime: exposurePeriod, exposurePeriod },
  });
  const pixels = sim.tauPerRing.map((_, i) => sim.dqmap.reduce((n, v) => n + (v === i + 1 ? 1 : 0), 0));
  const truth: XpcsGeneratorTruth = {
    frames, size, seed, exposurePeriod, beta: sim.beta,
    rings: sim.tauPerRing.map((tau, i) => ({ bin: i + 1, radiusPx: sim.ringRadius[i], q: qList[i], pixels: pixels[i], tauFrames: tau, tauSeconds: tau * exposurePeriod })),
  };
  await fsp.writeFile(truthFile, JSON.stringify(truth, null, 2) + '\n');
  return { dir, name, imm, config, truthFile, truth };
}
