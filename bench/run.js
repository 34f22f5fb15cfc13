#!/usr/bin/env node
'use strict';
/**
 * Runs every bench/*.bench.js suite serially (never two at once: the machine has two cores and
 * the suites measure parallel speed-ups), then rewrites the results table in bench/README.md
 * between the RESULTS markers. `node bench/run.js [suite ...]` runs only the named suites.
 */
const { spawnSync } = require('node:child_process');
const { readdirSync, readFileSync, writeFileSync, existsSync } = require('node:fs');
const path = require('node:path');
const { fmt } = require('./lib/harness');

const dir = __dirname;
const only = process.argv.slice(2);
const suites = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.js'))
  .map((f) => f.slice(0, -'.bench.js'.length))
  .filter((s) => only.length === 0 || only.includes(s))
  .sort();

let failed = 0;
for (const s of suites) {
  console.log(`== ${s}`);
  const r = spawnSync(process.execPath, [path.join(dir, `${s}.bench.js`)], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.error(`bench ${s} failed (exit ${r.status})`);
  }
}

function table() {
  const files = readdirSync(path.join(dir, 'results'))
    .filter((f) => f.endsWith('.json'))
    .sort();
  const lines = [
    '| suite | kernel | size | ours (s) | reference | ref (s) | ratio ours/ref | peak MB ours / ref | target | note |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  let machine;
  for (const f of files) {
    const res = JSON.parse(readFileSync(path.join(dir, 'results', f), 'utf8'));
    machine = machine || res.machine;
    for (const r of res.rows) {
      lines.push(
        `| ${res.suite} | ${r.kernel} | ${r.size} | ${fmt(r.ours_s)} | ${r.ref_name ?? '-'} | ${fmt(r.ref_s)} | ${r.ratio == null ? '-' : r.ratio.toFixed(3)} | ${fmt(r.ours_peak_mb)} / ${fmt(r.ref_peak_mb)} | ${r.target ?? ''} | ${r.note ?? ''} |`,
      );
    }
  }
  const m = machine
    ? `Measured ${machine.date.slice(0, 10)} on ${machine.cpus} x ${machine.model}, Node ${machine.node}.`
    : '';
  return `${m}\n\n${lines.join('\n')}\n`;
}

const readme = path.join(dir, 'README.md');
if (existsSync(readme)) {
  const text = readFileSync(readme, 'utf8');
  const start = '<!-- RESULTS:START -->';
  const end = '<!-- RESULTS:END -->';
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i >= 0 && j > i) writeFileSync(readme, text.slice(0, i + start.length) + '\n' + table() + text.slice(j));
}
process.exit(failed ? 1 : 0);
