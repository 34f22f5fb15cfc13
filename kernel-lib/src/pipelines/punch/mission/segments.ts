/**
 * The simulated mission's level segments (punchpipe flows/level1.py, level2.py, level3.py,
 * levelq.py in spirit, with our own small image work from images.ts):
 * - level1: each L0 image (PM, PZ, PP, CR of observatories 1-4) → its L1 (calibrated, north up);
 * - levelq: the four L1 clear images of one observation → a quick-look clear mosaic `CNM` (level Q);
 *   its inputs become `quickpunched`;
 * - level2: the twelve L1 polarized images of one observation → `PTM` (B and pB planes), and the
 *   four `quickpunched` L1 clear images → `CTM`;
 * - level3: each L2 mosaic → its radial-background-subtracted product (`PAM`, `CAM`).
 * A group of one observation is ready when every configured observatory's file is there.
 */
import { z } from 'zod';
import { StagebookError } from '../../../errors/stagebook-error';
import { parseProductName } from '../naming';
import type { PlannedFlow, PlannedOutput, ReadyFile, Segment, StageCall } from '../segment';
import { bin2, calibrate, mosaic, solveTriplet, subtractRadialBackground } from './images';
import { groupOptions, noOptions } from './options';
import { readProduct, writeProduct } from './products';

const POLARIZED = ['PM', 'PZ', 'PP'] as const;

function checkWith(schema: z.ZodType, flowType: string): (o: Record<string, unknown>) => void {
  return (o) => {
    const r = schema.safeParse(o);
    if (!r.success)
      throw new StagebookError(
        'E_CONFIG_INVALID',
        `punch: flows.${flowType}.options: ${z.prettifyError(r.error).replace(/\n/g, '; ')}`,
        { where: 'punch segment', field: `flows.${flowType}.options` },
      );
  };
}

function output(level: PlannedOutput['level'], type: string, obs: string, files: readonly ReadyFile[]): PlannedOutput {
  const times = files.map((f) => f.date_obs);
  const pol = files.length === 1 ? files[0].polarization : null;
  return {
    level,
    file_type: type,
    observatory: obs,
    date_obs: Math.min(...times),
    date_beg: Math.min(...times),
    date_end: Math.max(...times),
    polarization: pol,
    crota: 0,
  };
}

function oneToOne(level: PlannedOutput['level'], typeMap: Record<string, string> | null) {
  return (ready: readonly ReadyFile[]): PlannedFlow[] =>
    ready.map((f) => ({
      inputs: [f],
      outputs: [output(level, typeMap ? typeMap[f.file_type] : f.file_type, typeMap ? 'M' : f.observatory, [f])],
    }));
}

/** Groups files by observation window and kind; a group is complete with one file per (type, observatory). */
function byObservation(
  ready: readonly ReadyFile[],
  options: Record<string, unknown>,
  kinds: ReadonlyArray<{ types: readonly string[]; output: string }>,
  level: PlannedOutput['level'],
): PlannedFlow[] {
  const { observatories, window_seconds } = groupOptions.parse(options);
  const groups = new Map<string, { slot: number; kind: (typeof kinds)[number]; files: ReadyFile[] }>();
  for (const f of ready) {
    const kind = kinds.find((k) => k.types.includes(f.file_type));
    if (!kind || !observatories.includes(f.observatory as '1')) continue;
    const slot = Math.floor(f.date_obs / (window_seconds * 1000));
    const key = `${slot}/${kind.output}`;
    (groups.get(key) ?? groups.set(key, { slot, kind, files: [] }).get(key)!).files.push(f);
  }
  const complete = [...groups.values()].filter((g) => {
    const have = new Set(g.files.map((f) => `${f.file_type}${f.observatory}`));
    return g.kind.types.every((t) => observatories.every((o) => have.has(`${t}${o}`))) && have.size === g.files.length;
  });
  complete.sort((a, b) => b.slot - a.slot || a.kind.output.localeCompare(b.kind.output));
  return complete.map((g) => ({ inputs: g.files, outputs: [output(level, g.kind.output, 'M', g.files)] }));
}

function squareSize(shape: number[]): number {
  return shape[shape.length - 1];
}

function runLevel1(call: StageCall): string[] {
  const raw = readProduct(call.inputs[0]);
  const size = squareSize(raw.shape);
  const roll = raw.header.getNumber('CROTA', 0);
  const l1 = calibrate(raw.data, size, roll);
  return [
    writeProduct(call.outputs[0], l1, [size, size], {
      ...call.products,
      cards: [
        ['CROTA', 0, 'roll removed (deg)'],
        ['ROLLORIG', roll, 'roll of the raw image (deg)'],
      ],
    }),
  ];
}

function readAll(paths: readonly string[]): Array<{ type: string; obs: string; data: Float64Array; size: number }> {
  return paths.map((p) => {
    const key = parseProductName(p);
    const im = readProduct(p);
    return { type: key.file_type, obs: key.observatory, data: Float64Array.from(im.data), size: squareSize(im.shape) };
  });
}

function runLevelQ(call: StageCall): string[] {
  const ims = readAll(call.inputs);
  const q = bin2(mosaic(ims.map((i) => i.data)), ims[0].size);
  return [writeProduct(call.outputs[0], q.data, [q.size, q.size], call.products)];
}

function runLevel2(call: StageCall): string[] {
  const ims = readAll(call.inputs);
  const size = ims[0].size;
  const type = parseProductName(call.outputs[0]).file_type;
  if (type === 'CT')
    return [writeProduct(call.outputs[0], mosaic(ims.map((i) => i.data)), [size, size], call.products)];
  const obs = [...new Set(ims.map((i) => i.obs))];
  const solved = obs.map((o) => {
    const get = (t: string): Float64Array => ims.find((i) => i.obs === o && i.type === t)!.data;
    return solveTriplet(get('PM'), get('PZ'), get('PP'));
  });
  const B = mosaic(solved.map((s) => s.B));
  const pB = mosaic(solved.map((s) => s.pB));
  const cube = new Float64Array(2 * size * size);
  cube.set(B, 0);
  cube.set(pB, size * size);
  return [writeProduct(call.outputs[0], cube, [2, size, size], call.products)];
}

function runLevel3(call: StageCall): string[] {
  const im = readProduct(call.inputs[0]);
  const size = squareSize(im.shape);
  const planes = im.shape.length === 3 ? im.shape[0] : 1;
  const out = new Float64Array(planes * size * size);
  for (let k = 0; k < planes; k++) {
    const plane = Float64Array.from(im.data.subarray(k * size * size, (k + 1) * size * size));
    out.set(subtractRadialBackground(plane, size), k * size * size);
  }
  return [writeProduct(call.outputs[0], out, im.shape, call.products)];
}

export const LEVEL1: Segment = {
  flowType: 'level1',
  level: '1',
  input: { level: '0', ready: [{ types: [...POLARIZED, 'CR'], state: 'created' }] },
  inputNext: 'progressed',
  maxInputsPerFlow: 1,
  plan: oneToOne('1', null),
  checkOptions: checkWith(noOptions, 'level1'),
  run: runLevel1,
};

export const LEVELQ: Segment = {
  flowType: 'levelq',
  level: 'Q',
  input: { level: '1', ready: [{ types: ['CR'], state: 'created' }] },
  inputNext: 'quickpunched',
  maxInputsPerFlow: 4,
  plan: (ready, options) => byObservation(ready, options, [{ types: ['CR'], output: 'CN' }], 'Q'),
  checkOptions: checkWith(groupOptions, 'levelq'),
  run: runLevelQ,
};

export const LEVEL2: Segment = {
  flowType: 'level2',
  level: '2',
  input: {
    level: '1',
    ready: [
      { types: POLARIZED, state: 'created' },
      { types: ['CR'], state: 'quickpunched' },
    ],
  },
  inputNext: 'progressed',
  maxInputsPerFlow: 16,
  plan: (ready, options) =>
    byObservation(
      ready,
      options,
      [
        { types: POLARIZED, output: 'PT' },
        { types: ['CR'], output: 'CT' },
      ],
      '2',
    ),
  checkOptions: checkWith(groupOptions, 'level2'),
  run: runLevel2,
};

export const LEVEL3: Segment = {
  flowType: 'level3',
  level: '3',
  input: { level: '2', ready: [{ types: ['PT', 'CT'], state: 'created' }] },
  inputNext: 'progressed',
  maxInputsPerFlow: 1,
  plan: oneToOne('3', { PT: 'PA', CT: 'CA' }),
  checkOptions: checkWith(noOptions, 'level3'),
  run: runLevel3,
};

/** The mission's segments by flow type, in scheduling order. */
export const MISSION_SEGMENTS: ReadonlyMap<string, Segment> = new Map(
  [LEVEL1, LEVELQ, LEVEL2, LEVEL3].map((s) => [s.flowType, s]),
);
