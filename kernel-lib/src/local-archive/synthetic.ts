/**
 * Deterministic synthetic archive content: LCO-like frames (records with both the lower-case
 * fields of `Frame.as_dict` and the upper-case aliases the real API also returns, see
 * observatorycontrolsystem/science-archive archive/frames/models.py) and their FITS files with
 * realistic headers (the keys microlensing_photometry's ledger reads: SITEID, ENCID, TELID, INSTRUME,
 * PROPID, OBJECT, REQNUM, FILTER, DATE-OBS, EXPTIME, RA/DEC sexagesimal, AIRMASS, PIXSCALE, L1FWHM,
 * MOONFRAC, MOONDIST, L1MEAN, WCS, WCSERR, WMSCLOUD). Same options and seed => same bytes.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { writeFits } from '../formats/fits/write';
import type { FitsCardInput } from '../formats/fits/header';
import { seededRandom, type Random } from '../simulate/random';

/** What the synthetic archive holds. */
export interface SyntheticArchiveOptions {
  seed?: number;
  /** First observing night (UTC date, YYYY-MM-DD). Default 2025-06-10. */
  firstNight?: string;
  nights?: number;
  /** Science frames per night per proposal (calibrations and spectra come on top). Default 4. */
  framesPerNight?: number;
  proposals?: string[];
  targets?: Array<{ name: string; ra: number; dec: number }>;
  /** Image side in pixels. Default 32. */
  imageSize?: number;
}

/** One instrument of the synthetic network. */
interface Instrument {
  site: string;
  enc: string;
  tel: string;
  telId: string;
  inst: string;
  kind: 'image' | 'spectrum';
  name: string;
}

const INSTRUMENTS: Instrument[] = [
  { site: 'lsc', enc: 'doma', tel: '1m009', telId: '1m0a', inst: 'fa04', kind: 'image', name: 'fa04' },
  { site: 'cpt', enc: 'domc', tel: '1m012', telId: '1m0a', inst: 'fa06', kind: 'image', name: 'fa06' },
  { site: 'coj', enc: 'clma', tel: '2m002', telId: '2m0a', inst: 'ep05', kind: 'image', name: 'ep05' },
  { site: 'ogg', enc: 'clma', tel: '2m001', telId: '2m0a', inst: 'en06', kind: 'spectrum', name: 'en06' },
];
const FILTERS = ['ip', 'gp', 'rp'];

/** An archive record: lower-case fields plus the upper-case aliases. */
export type FrameRecord = Record<string, unknown> & {
  id: number;
  basename: string;
  filename: string;
  observation_date: string;
  observation_day: string;
  proposal_id: string;
  target_name: string;
  reduction_level: number;
  configuration_type: string;
  instrument_id: string;
};

/** A synthetic frame: its record (without URLs, which depend on the server address) and its file. */
export interface SyntheticFrame {
  record: FrameRecord;
  /** Absolute path of the `.fits.fz` file. */
  file: string;
  size: number;
  md5: string;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** Degrees to `HH:MM:SS.sss` / `+DD:MM:SS.ss` (LCO headers carry sexagesimal RA/DEC). */
export function sexagesimal(deg: number, hours: boolean): string {
  const sign = deg < 0 ? '-' : '+';
  let v = Math.abs(hours ? deg / 15 : deg);
  const d = Math.floor(v);
  v = (v - d) * 60;
  const m = Math.floor(v);
  const s = (v - m) * 60;
  const body = `${pad(d)}:${pad(m)}:${s.toFixed(hours ? 3 : 2).padStart(hours ? 6 : 5, '0')}`;
  return hours ? body : sign + body;
}

function header(
  f: FrameRecord,
  ins: Instrument,
  target: { ra: number; dec: number },
  rng: Random,
  size: number,
): FitsCardInput[] {
  const filter = String(f.FILTER);
  return [
    ['ORIGIN', 'LCOGT'],
    ['SITEID', ins.site],
    ['ENCID', ins.enc],
    ['TELID', ins.telId],
    ['TELESCOP', ins.tel],
    ['INSTRUME', ins.inst],
    ['OBSTYPE', f.OBSTYPE as string],
    ['OBJECT', f.target_name],
    ['PROPID', f.proposal_id],
    ['REQNUM', f.request_id as number],
    ['BLKUID', f.BLKUID as number],
    ['FILTER', filter],
    ['DATE-OBS', f.observation_date.replace('Z', '')],
    ['DAY-OBS', f.observation_day.replace(/-/g, '')],
    ['EXPTIME', f.exposure_time as number],
    ['RA', sexagesimal(target.ra, true)],
    ['DEC', sexagesimal(target.dec, false)],
    ['AIRMASS', Number((1 + rng.uniform()).toFixed(3))],
    ['PIXSCALE', ins.telId === '2m0a' ? 0.27 : 0.389],
    ['L1FWHM', Number((1.2 + rng.uniform()).toFixed(3))],
    ['MOONFRAC', Number(rng.uniform().toFixed(3))],
    ['MOONDIST', Number((30 + 100 * rng.uniform()).toFixed(2))],
    ['L1MEAN', Number((200 + 50 * rng.uniform()).toFixed(2))],
    ['RLEVEL', f.reduction_level],
    ['CTYPE1', 'RA---TAN'],
    ['CTYPE2', 'DEC--TAN'],
    ['CRPIX1', size / 2],
    ['CRPIX2', size / 2],
    ['CRVAL1', target.ra],
    ['CRVAL2', target.dec],
    ['CUNIT1', 'deg'],
    ['CUNIT2', 'deg'],
    ['CD1_1', -1.08e-4],
    ['CD1_2', 0],
    ['CD2_1', 0],
    ['CD2_2', 1.08e-4],
    ['WCSERR', 0],
    ['WMSCLOUD', Number((-30 + 10 * rng.uniform()).toFixed(2))],
  ];
}

function pixels(rng: Random, size: number): Int16Array {
  const data = new Int16Array(size * size);
  const cx = size / 2 + rng.normal();
  const cy = size / 2 + rng.normal();
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const star = 3000 * Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / 4);
      data[y * size + x] = Math.min(32767, rng.poisson(200) + Math.round(star));
    }
  }
  return data;
}

/** One frame's record fields. */
function frameRecord(
  id: number,
  ins: Instrument,
  night: Date,
  seq: number,
  proposal: string,
  target: { name: string; ra: number; dec: number },
  obstype: string,
  filter: string,
  rng: Random,
): FrameRecord {
  const day = night.toISOString().slice(0, 10);
  const obs = new Date(night.getTime() + (4 + seq * 0.5) * 3600_000 + Math.floor(rng.uniform() * 600_000));
  const basename = `${ins.site}${ins.tel}-${ins.inst}-${day.replace(/-/g, '')}-${pad(seq + 1, 4)}-${ins.kind === 'spectrum' ? 'e91' : 'e91'}`;
  const reqnum = 3_000_000 + id * 7;
  const lower = {
    id,
    basename,
    filename: `${basename}.fits.fz`,
    observation_date: obs.toISOString(),
    observation_day: day,
    proposal_id: proposal,
    instrument_id: ins.inst,
    target_name: target.name,
    reduction_level: 91,
    site_id: ins.site,
    telescope_id: ins.telId,
    exposure_time: ins.kind === 'spectrum' ? 900 : 60,
    primary_optical_element: filter,
    public_date: new Date(obs.getTime() + 365 * 86400_000).toISOString(),
    configuration_type: obstype,
    observation_id: 70_000_000 + id,
    request_id: reqnum,
    modified: obs.toISOString(),
    created: obs.toISOString(),
    area: {
      type: 'Polygon',
      coordinates: [
        [
          [target.ra - 0.1, target.dec - 0.1],
          [target.ra + 0.1, target.dec - 0.1],
          [target.ra + 0.1, target.dec + 0.1],
          [target.ra - 0.1, target.dec + 0.1],
          [target.ra - 0.1, target.dec - 0.1],
        ],
      ],
    },
    related_frames: [],
  };
  const upper = {
    DATE_OBS: lower.observation_date,
    DAY_OBS: day,
    PROPID: proposal,
    INSTRUME: ins.inst,
    OBJECT: target.name,
    RLEVEL: 91,
    SITEID: ins.site,
    TELID: ins.telId,
    EXPTIME: lower.exposure_time,
    FILTER: filter,
    L1PUBDAT: lower.public_date,
    OBSTYPE: obstype,
    BLKUID: 500_000 + id,
    REQNUM: reqnum,
  };
  return { ...lower, ...upper };
}

const DEFAULT_TARGETS = [
  { name: 'OGLE-2025-BLG-0042', ra: 269.5, dec: -29.1 },
  { name: 'KMT-2025-BLG-0137', ra: 270.9, dec: -27.6 },
  { name: 'Gaia25abc', ra: 271.3, dec: -30.4 },
];

/** Plans every frame (records only, no files): cheap, deterministic. */
export function planSyntheticFrames(
  options: SyntheticArchiveOptions = {},
): Array<{ record: FrameRecord; ins: Instrument; target: { name: string; ra: number; dec: number }; seed: number }> {
  const rng = seededRandom(options.seed ?? 1);
  const proposals = options.proposals ?? ['KEY2025-004', 'LCO2025A-012'];
  const targets = options.targets ?? DEFAULT_TARGETS;
  const first = new Date(`${options.firstNight ?? '2025-06-10'}T00:00:00Z`);
  const out: ReturnType<typeof planSyntheticFrames> = [];
  let id = 1000;
  for (let n = 0; n < (options.nights ?? 3); n++) {
    const night = new Date(first.getTime() + n * 86400_000);
    proposals.forEach((proposal, p) => {
      let seq = 0;
      const add = (ins: Instrument, obstype: string, target: (typeof targets)[number], filter: string): void => {
        const record = frameRecord(++id, ins, night, seq++, proposal, target, obstype, filter, rng);
        out.push({ record, ins, target, seed: (options.seed ?? 1) * 100_003 + id });
      };
      for (let i = 0; i < (options.framesPerNight ?? 4); i++) {
        add(INSTRUMENTS[(i + p) % 3], 'EXPOSE', targets[(i + p + n) % targets.length], FILTERS[i % FILTERS.length]);
      }
      add(INSTRUMENTS[p % 3], 'BIAS', { name: 'bias', ra: 0, dec: 0 }, 'air');
      if (p === 0) add(INSTRUMENTS[3], 'SPECTRUM', targets[n % targets.length], 'slit_1.6as');
    });
  }
  return out;
}

/** Writes the FITS files of a plan into `dir` (skipping files already there) and returns the frames. */
export function writeSyntheticFrames(dir: string, options: SyntheticArchiveOptions = {}): SyntheticFrame[] {
  mkdirSync(dir, { recursive: true });
  const size = options.imageSize ?? 32;
  return planSyntheticFrames(options).map(({ record, ins, target, seed }) => {
    const file = path.join(dir, record.filename);
    const rng = seededRandom(seed);
    const hdr = header(record, ins, target, rng, size);
    try {
      writeFits(
        file,
        [{ data: pixels(rng, size), shape: [size, size], header: hdr, compress: 'RICE_1', name: 'SCI' }],
        { checksum: false },
      );
    } catch (e) {
      if (!/exists/.test((e as Error).message)) throw e;
    }
    const bytes = readFileSync(file);
    return { record, file, size: bytes.length, md5: createHash('md5').update(bytes).digest('hex') };
  });
}

/** A 1 MiB seeded block; blob chunk k is this block rotated by k * 7919 bytes (cheap, position-dependent). */
export function blobBlock(seed: number): Buffer {
  const rng = seededRandom(seed);
  const b = Buffer.alloc(1 << 20);
  for (let i = 0; i < b.length; i += 4) b.writeUInt32LE(Math.floor(rng.uniform() * 4294967296), i);
  return b;
}

/** Bytes [start, end) of a synthetic blob built from `block`. */
export function blobSlice(block: Buffer, start: number, end: number): Buffer[] {
  const out: Buffer[] = [];
  const B = block.length;
  for (let pos = start; pos < end;) {
    const k = Math.floor(pos / B);
    const rot = (k * 7919) % B;
    const within = pos - k * B;
    const from = (within + rot) % B;
    const n = Math.min(end - pos, B - within, B - from);
    out.push(block.subarray(from, from + n));
    pos += n;
  }
  return out;
}
