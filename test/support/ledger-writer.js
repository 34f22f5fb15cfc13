// Child process of engine-ledger tests and the ledger bench: N stage-state writes (start + finish
// of a stage run, each its own immediate transaction) plus a read-modify-write counter bump.
'use strict';
const { Ledger } = require(process.argv[2]);
const [file, runId, n, tag] = [process.argv[3], process.argv[4], Number(process.argv[5]), process.argv[6]];
const ledger = Ledger.open(file, { busyTimeoutMs: 30000 });
const t0 = performance.now();
for (let i = 0; i < n; i++) {
  const id = ledger.startStageRun({
    runId,
    pipeline: 'bench',
    stage: `s-${tag}`,
    unit: `u${i}`,
    stageVersion: 1,
    params: { i },
    cacheKey: `k${i}`,
    inputs: [],
  });
  ledger.finishStageRun(id, { status: 'succeeded', outputs: [], log: '' });
  ledger.bumpUnitsDone(runId);
}
const seconds = (performance.now() - t0) / 1000;
ledger.close();
process.stdout.write(JSON.stringify({ seconds, writes: n * 3 }) + '\n');
