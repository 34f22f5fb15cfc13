// End to end on the part-1 pipeline's real products: simulated telemetry -> L1/L2 FITS (`U` files under the
// predicted time correlation) -> the daily pipeline (ANC aspect, LL03 quick-look + svg) -> publishing: the U
// files are renamed complete, every product gets one history row, and a second publish finds nothing new.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStagebookConfig } from '../kernel-lib/src/config/schema';
import { readFitsHeader } from '../kernel-lib/src/formats/fits';
import { dailyOptionsSchema, runDaily } from '../kernel-lib/src/pipelines/stix/daily/daily';
import { runStix } from '../kernel-lib/src/pipelines/stix/pipeline';
import { resolvePublishOptions } from '../kernel-lib/src/pipelines/stix/publish/options';
import { publishStix, type PublishRun } from '../kernel-lib/src/pipelines/stix/publish/publish';
import {
  createStixWorkspace,
  deliverLikeRsync,
  simulateStixPackets,
  stixTmXml,
  tmFileName,
  writeTimeCorrelation,
} from '../kernel-lib/src/testing/stix';

const START = 770_000_000;
const dir = mkdtempSync(path.join(tmpdir(), 'stix-daily-publish-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fits: string;
let daily: ReturnType<typeof runDaily>;
let run: PublishRun;
beforeAll(async () => {
  const ws = createStixWorkspace(dir);
  const config = loadStagebookConfig(ws.config).config;
  writeTimeCorrelation(ws.tcDir, 'predicted', 1, START - 86_400, START + 3 * 86_400);
  const packets = simulateStixPackets({ startScet: START, durationS: 2 * 3600, seed: 5 });
  const tm = deliverLikeRsync(ws.incoming, tmFileName(new Date(Date.UTC(2024, 4, 26, 1)), 'A'), stixTmXml(packets));
  const r = await runStix(config, { inputFiles: [tm.final] });
  expect(r.status).toBe('succeeded');
  fits = path.join(ws.root, 'fits');
  daily = runDaily(
    dailyOptionsSchema.parse({
      fitsInDir: path.join(fits, 'L1'),
      fitsOutDir: fits,
      dbFile: path.join(dir, 'processed.sqlite'),
    }),
  );
  const o = resolvePublishOptions({
    fitsDir: fits,
    targetDir: path.join(dir, 'esa'),
    sameEsaNameDir: path.join(dir, 'same'),
    dbFile: path.join(dir, 'published.sqlite'),
    supplementReport: path.join(dir, 'supplement.tsv'),
    includeLevels: 'L1, L2, ANC, LL03',
    waitingPeriod: '0s',
    llWaitingPeriod: '0s',
    timeCorrelationDir: ws.tcDir,
  });
  run = publishStix(o, { now: new Date(Date.now() + 60_000) });
  expect(publishStix(o, { now: new Date(Date.now() + 120_000) }).items).toEqual([]);
}, 240_000);

describe('STIX part 1 products through the daily pipeline and publishing', () => {
  it('the daily pipeline reads the real L1 HK and QL files (U inputs) and makes ANC and LL03 products', () => {
    expect(daily.map((d) => `${d.status} ${d.product}`).sort()).toEqual([
      expect.stringMatching(/^made solo_ANC_stix-asp-ephemeris_2024\d{4}_V02\.fits$/),
      expect.stringMatching(/^made solo_LL03_stix-ql-lightcurve_2024\d{4}_V01\.fits$/),
    ]);
  });

  it('publishes every L1, L2, ANC and LL03 product once; U files renamed complete with FILENAME refreshed', () => {
    expect(run.items.every((i) => i.result === 'PUBLISHED')).toBe(true);
    const names = run.items.map((i) => i.name);
    expect(names.some((n) => n.startsWith('solo_LL03_') && n.endsWith('C.svg'))).toBe(true);
    expect(names.some((n) => n.startsWith('solo_ANC_'))).toBe(true);
    expect(names.filter((n) => /_V\d\dU[._]/.test(n))).toEqual([]);
    const esa = readdirSync(path.join(dir, 'esa')).sort();
    expect(esa).toEqual([...names].sort());
    for (const n of esa.filter((x) => x.endsWith('.fits')))
      expect(readFitsHeader(path.join(dir, 'esa', n)).get('FILENAME')).toBe(n);
  });
});
