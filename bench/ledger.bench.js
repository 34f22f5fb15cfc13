'use strict';
/**
 * Ledger throughput: stage-state writes per second (each write its own BEGIN IMMEDIATE transaction
 * in WAL mode, synchronous=NORMAL) from 1 process and from 3 processes at once on one database.
 * Reference row: a raw better-sqlite3 insert loop with the same pragmas (one autocommit INSERT per
 * write): the ceiling the ledger's API overhead is compared with. No python reference.
 */
const { spawn } = require('node:child_process');
const { mkdtempSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { runNode, report } = require('./lib/harness');

const root = path.join(__dirname, '..');
const WRITER = path.join(root, 'test/support/ledger-writer.js');
// The package entry (`Ledger` is public); writer processes require it by this resolved path.
const LEDGER_DIST = require.resolve('stagebook');
const N = 2000; // units per process; 3 writes each (start, finish, counter)

function freshLedger() {
  const { Ledger } = require(LEDGER_DIST);
  const db = path.join(mkdtempSync(path.join(os.tmpdir(), 'sb-bench-')), 'ledger.db');
  const l = Ledger.open(db);
  const { runId } = l.createRun({ pipeline: 'bench', scope: 'bench@x', options: {}, leaseMs: 600000 });
  l.close();
  return { db, runId };
}

function spawnWriter(db, runId, tag) {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [WRITER, LEDGER_DIST, db, runId, String(N), tag], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop())) : reject(new Error(`writer ${code}`)),
    );
  });
}

async function main() {
  const one = freshLedger();
  const t1 = performance.now();
  const r1 = await spawnWriter(one.db, one.runId, 'a');
  const s1 = (performance.now() - t1) / 1000;
  const three = freshLedger();
  const t3 = performance.now();
  const r3 = await Promise.all(['a', 'b', 'c'].map((t) => spawnWriter(three.db, three.runId, t)));
  const s3 = (performance.now() - t3) / 1000;
  const { Ledger } = require(LEDGER_DIST);
  const check = Ledger.open(three.db);
  const done = check.getRun(three.runId).units_done;
  check.close();
  if (done !== 3 * N) throw new Error(`lost updates: ${done} != ${3 * N}`);

  const rawScript = path.join(mkdtempSync(path.join(os.tmpdir(), 'sb-bench-raw-')), 'raw.js');
  writeFileSync(
    rawScript,
    `
    const Database = require(${JSON.stringify(require.resolve('better-sqlite3', { paths: [path.join(root, 'kernel-lib')] }))});
    const { emit } = require(${JSON.stringify(path.join(__dirname, 'lib/harness.js'))});
    const db = new Database(require('path').join(require('path').dirname(process.argv[1]), 'raw.db'));
    db.pragma('journal_mode = WAL'); db.pragma('synchronous = NORMAL'); db.pragma('busy_timeout = 10000');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, stage TEXT, unit TEXT, status TEXT, at INTEGER)');
    const ins = db.prepare('INSERT INTO t (stage, unit, status, at) VALUES (?, ?, ?, ?)');
    const n = ${3 * N};
    const t0 = performance.now();
    for (let i = 0; i < n; i++) ins.run('s', 'u' + i, 'succeeded', Date.now());
    emit({ seconds: (performance.now() - t0) / 1000, writes: n });
  `,
  );
  const raw = runNode(rawScript);
  const w1 = (3 * N) / r1.seconds;
  const w3 = (3 * 3 * N) / s3;
  report('ledger', [
    {
      kernel: 'ledger stage-state writes, 1 process',
      size: `${3 * N} writes`,
      ours_s: r1.seconds,
      ref_s: raw.seconds,
      ref_name: 'raw better-sqlite3 autocommit INSERT loop',
      note: `${w1.toFixed(0)} writes/s (ref ${(raw.writes / raw.seconds).toFixed(0)} writes/s); process wall ${s1.toFixed(2)} s`,
    },
    {
      kernel: 'ledger stage-state writes, 3 processes',
      size: `3 x ${3 * N} writes`,
      ours_s: s3,
      ref_s: raw.seconds * 3,
      ref_name: 'raw loop time x3 (serial equivalent)',
      note: `${w3.toFixed(0)} writes/s aggregate; per-process ${r3.map((r) => ((3 * N) / r.seconds).toFixed(0)).join('/')} writes/s; 0 lost updates`,
    },
  ]);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
