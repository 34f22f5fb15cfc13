/**
 * Products to publish, written like the L1 files of the STIX pipeline (STIXCore's `test_publish.py`
 * writes them with `FitsL1Processor` from a mocked product; here the same stagebook writer as the
 * pipeline's): a science spectrogram per request id, quick-look daily files (complete or `U`), LL03 svgs,
 * and the RID table rows that explain the requests.
 */
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { col, commonHeader, writeProduct } from '../../pipelines/stix/fits-product';
import { formatRidCsv, type RidRow } from '../../pipelines/stix/publish/rid-table';

/** One product file to write. */
export interface PublishFixture {
  /** Folder (created). */
  dir: string;
  level?: string;
  /** `sci-xray-spec`, `ql-lightcurve`, ... */
  product?: string;
  /** Date field of the name (`20220223T000000-20220223T000010`, `20220223`). */
  dates?: string;
  version?: number;
  incomplete?: boolean;
  /** BSD request id (science requests: the name gets `_{rid:010d}-{seq:05d}`). */
  rid?: number;
  /** The DATA table's counts (a re-request has the same counts, a supplement other ones). */
  counts?: number[];
  /** DATE-BEG (ISO UTC); default from `dates` or 2022-02-23. */
  dateBeg?: string;
  /** Modification time (epoch ms): the waiting period is measured from it. */
  mtimeMs?: number;
}

/** Writes one STIX product and returns its path. */
export function writePublishFixture(f: PublishFixture): string {
  const level = f.level ?? 'L1';
  const product = f.product ?? 'sci-xray-spec';
  const dates = f.dates ?? '20220223T000000-20220223T000010';
  const v = `V${String(f.version ?? 2).padStart(2, '0')}${f.incomplete ? 'U' : ''}`;
  const req =
    f.rid === undefined ? '' : `_${String(f.rid).padStart(10, '0')}-${String(f.rid % 100000).padStart(5, '0')}`;
  const name = `solo_${level}_stix-${product}_${dates}_${v}${req}.fits`;
  mkdirSync(f.dir, { recursive: true });
  const file = path.join(f.dir, name);
  const counts = f.counts ?? [1, 2];
  const t0 = 700_000_000;
  const header = [
    ...commonHeader({
      filename: name,
      level,
      version: f.version ?? 2,
      service: 21,
      subtype: 6,
      ssid: 24,
      rawFiles: ['packet1.xml'],
      parents: ['parent.fits'],
      obtBeg: t0,
      obtEnd: t0 + 10,
      rid: f.rid,
      tcSeq: f.rid === undefined ? undefined : f.rid % 100000,
    }),
    ['DATE-BEG', f.dateBeg ?? '2022-02-23T00:00:00.000', 'Start time of observation'] as [string, string, string],
    ['COMPLETE', f.incomplete ? 'U' : 'C', 'U: predicted time correlation only'] as [string, string, string],
  ];
  writeProduct(file, header, {
    control: [col('index', 'i32', [0]), col('request_id', 'i32', [f.rid ?? 0])],
    data: [
      col(
        'time',
        'f64',
        counts.map((_, i) => t0 + i),
        's',
      ),
      col('counts', 'i32', counts, 'ct'),
      col(
        'control_index',
        'i32',
        counts.map(() => 0),
      ),
    ],
  });
  if (f.mtimeMs !== undefined) utimesSync(file, f.mtimeMs / 1000, f.mtimeMs / 1000);
  return file;
}

/** Writes an LL03 quick-look svg (LL levels publish after their own short waiting period). */
export function writePublishSvg(dir: string, day = '20220223', version = 1, marker = 'C'): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `solo_LL03_stix-ql-lightcurve_${day}_V${String(version).padStart(2, '0')}${marker}.svg`);
  writeFileSync(file, `<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><!-- ${day} --></svg>\n`);
  return file;
}

/** RID table rows for request ids (subject/purpose/comment name the request). */
export function ridRows(ids: readonly number[], start = '2022-02-23T00:00:00'): RidRow[] {
  return ids.map((id, i) => ({
    _id: String(1000 + i),
    unique_id: String(id),
    start_utc: start,
    duration: '600',
    type: 'BSD',
    subject: `flare ${id}`,
    purpose: 'spectroscopy',
    scaling_factor: '',
    ior_id: `IOR-${id}`,
    comment: i % 2 === 0 ? 'M-class, re-requested' : 'pixel set B',
  }));
}

/** Writes `rid_lut.csv` with the rows. */
export function writeRidTable(file: string, rows: readonly RidRow[]): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, formatRidCsv(rows));
  return file;
}

/** Writes an L1 daily file as the pipeline names it: HK maxi or QL light curve (5 bands), `n` samples. */
export function writeL1DailyFixture(dir: string, kind: 'hk' | 'ql', day = '20220223', n = 20): string {
  const name = kind === 'hk' ? `solo_L1_stix-hk-maxi_${day}_V02.fits` : `solo_L1_stix-ql-lightcurve_${day}_V02.fits`;
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  const t0 = 700_000_000;
  const idx = Array.from({ length: n }, (_, i) => i);
  const iso = `${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6, 8)}T00:00:00.000`;
  const data =
    kind === 'hk'
      ? [
          col(
            'time',
            'f64',
            idx.map((i) => t0 + 64 * i),
            's',
          ),
          col(
            'timedel',
            'f64',
            idx.map(() => 64),
            's',
          ),
          col(
            'NIXD0001',
            'f64',
            idx.map((i) => 20 + i / 10),
            'deg_C',
          ),
        ]
      : [
          col(
            'time',
            'f64',
            idx.map((i) => t0 + 4 * i),
            's',
          ),
          col(
            'timedel',
            'f64',
            idx.map(() => 4),
            's',
          ),
          ...['NIX00032', 'NIX00033', 'NIX00034', 'NIX00035', 'NIX00036'].map((b, k) =>
            col(
              b,
              'i32',
              idx.map((i) => (k + 1) * 10 + (i === 10 ? 500 : i)),
              'ct',
            ),
          ),
        ];
  writeProduct(
    file,
    [
      ['FILENAME', name, 'FITS filename'],
      ['LEVEL', 'L1', 'level'],
      ['DATE-BEG', iso, 'start'],
    ],
    {
      control: [col('index', 'i32', [0])],
      data: [
        ...data,
        col(
          'control_index',
          'i32',
          idx.map(() => 0),
        ),
      ],
    },
  );
  return file;
}
