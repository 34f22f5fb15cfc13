'use strict';
/**
 * The XPCS search index (issue 19): ingest rate and query latency.
 * - ingest_1000_fields: 500 datasets of 1,000 flattened metadata fields each (numbers, strings,
 *   arrays, as flattenXpcsMetadata gives), ours (type registry, typed rows, FTS5, one transaction per
 *   dataset) vs the floor: the same rows inserted with raw better-sqlite3 into one indexed table.
 * - query_100k: latency of a field+range query, a text query and a sorted query on 100,000 datasets of
 *   30 fields (3 M field rows, built with ingestMany), median of 50 runs; no reference (Globus Search is a remote service).
 * Usage: node bench/search.bench.js          (orchestrates, writes bench/results/search.json)
 *        node bench/search.bench.js <kernel>  (child)
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { runNode, emit, report } = require('./lib/harness');

function record(i, nFields) {
  const r = {
    'measurement.instrument.acquisition.root_folder': `/data/2026-${1 + (i % 3)}/run${i % 97}/`,
    'sample.name': `sample ${i % 500} silica`,
  };
  for (let f = 0; f < nFields - 2; f++) {
    const key = `measurement.instrument.field_${f}`;
    r[key] =
      f % 10 === 0
        ? `text value ${(i * 31 + f) % 1000}`
        : f % 7 === 0
          ? [i % 13, f, 1.5]
          : ((i * 2654435761 + f * 97) % 100000) / 100;
  }
  r['exchange.tau_fit'] = (i % 1000) / 10;
  return r;
}

function tmpFile() {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sb-bench-search-')), 'search.db');
}

async function child(name) {
  const lib = require(path.join(__dirname, '..', 'kernel-lib', 'dist', 'search'));
  if (name === 'ingest') {
    const ix = lib.SearchIndex.open(tmpFile());
    const n = 500;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) ix.ingest(`xpcs/${i}`, record(i, 1000));
    const seconds = (performance.now() - t0) / 1000;
    ix.close();
    emit({ seconds, datasets: n });
    return;
  }
  if (name === 'ingest_floor') {
    const Database = require(require.resolve('better-sqlite3', { paths: [path.join(__dirname, '..', 'kernel-lib')] }));
    const db = new Database(tmpFile());
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(
      'CREATE TABLE f (subject TEXT, key TEXT, pos INTEGER, num REAL, str TEXT, PRIMARY KEY (subject, key, pos)) WITHOUT ROWID; CREATE INDEX fn ON f (key, num); CREATE INDEX fs ON f (key, str);',
    );
    const ins = db.prepare('INSERT INTO f VALUES (?, ?, ?, ?, ?)');
    const n = 500;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const r = record(i, 1000);
      db.transaction(() => {
        for (const [k, v] of Object.entries(r)) {
          (Array.isArray(v) ? v : [v]).forEach((e, pos) =>
            ins.run(`xpcs/${i}`, k, pos, typeof e === 'number' ? e : null, typeof e === 'string' ? e : null),
          );
        }
      }).immediate();
    }
    emit({ seconds: (performance.now() - t0) / 1000, datasets: n });
    return;
  }
  // query_100k
  const file = tmpFile();
  const ix = lib.SearchIndex.open(file);
  for (let b = 0; b < 100; b++)
    ix.ingestMany(
      Array.from({ length: 1000 }, (_, j) => ({ subject: `xpcs/${b * 1000 + j}`, fields: record(b * 1000 + j, 30) })),
    );
  const queries = {
    field_range: 'measurement.instrument.acquisition.root_folder:"/data/2026-2/run5/" AND exchange.tau_fit < 50',
    text: '"sample 17 silica"',
    sorted: { q: 'exchange.tau_fit:[10 TO 12]', sort: '-exchange.tau_fit' },
  };
  const out = { seconds: 0, db_mb: fs.statSync(file).size / 1048576 };
  for (const [k, q] of Object.entries(queries)) {
    const times = [];
    let hits = 0;
    for (let r = 0; r < 50; r++) {
      const t0 = performance.now();
      hits = (typeof q === 'string' ? ix.search(q, { limit: 100 }) : ix.search(q.q, { limit: 100, sort: q.sort }))
        .length;
      times.push((performance.now() - t0) / 1000);
    }
    times.sort((a, b) => a - b);
    out[k] = times[25];
    out[`${k}_hits`] = hits;
  }
  ix.close();
  out.seconds = out.field_range;
  emit(out);
}

function main() {
  const ours = runNode(__filename, ['ingest']);
  const floor = runNode(__filename, ['ingest_floor']);
  const q = runNode(__filename, ['query_100k']);
  const rows = [
    {
      kernel: 'ingest (type registry, typed rows, FTS5)',
      size: '500 datasets x 1000 fields',
      ours_s: ours.seconds,
      ref_s: floor.seconds,
      ref_name: 'raw better-sqlite3 inserts of the same rows (floor)',
      ours_peak_mb: ours.peak_rss_mb,
      ref_peak_mb: floor.peak_rss_mb,
      note: `${(ours.datasets / ours.seconds).toFixed(0)} datasets/s (floor ${(floor.datasets / floor.seconds).toFixed(0)})`,
    },
  ];
  for (const k of ['field_range', 'text', 'sorted']) {
    rows.push({
      kernel: `query ${k} (median of 50)`,
      size: `100000 datasets x 30 fields (${q.db_mb.toFixed(0)} MB)`,
      ours_s: q[k],
      ref_s: null,
      ref_name: '-',
      ours_peak_mb: q.peak_rss_mb,
      ref_peak_mb: null,
      note: `${q[`${k}_hits`]} hits`,
    });
  }
  report('search', rows);
}

if (process.argv[2])
  child(process.argv[2]).catch((e) => {
    console.error(e);
    process.exit(1);
  });
else main();
