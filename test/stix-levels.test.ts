// STIX levels TM -> LB -> L0 -> L1 -> L2 through the engine: exact file names, merging of a second TM
// of the same day, multi-packet assembly across files, the U marker and its reprocessing, a corrupt
// packet, and every product read by astropy with warnings as errors.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStagebookConfig, type StagebookConfig } from '../kernel-lib/src/config/schema';
import { Ledger } from '../kernel-lib/src/ledger/ledger';
import { readProduct } from '../kernel-lib/src/pipelines/stix/fits-product';
import { runStix, type StixRunResult } from '../kernel-lib/src/pipelines/stix/pipeline';
import {
  createStixWorkspace,
  deliverLikeRsync,
  simulatedUtcMs,
  simulateStixPackets,
  stixTmXml,
  tmFileName,
  writeTimeCorrelation,
  type SimPacket,
} from '../kernel-lib/src/testing/stix';

const START = 770_000_000; // SCET; its SCET day starts at 769996800
const dir = mkdtempSync(path.join(tmpdir(), 'stix-levels-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function allFiles(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root).flatMap((n) => {
    const p = path.join(root, n);
    return statSync(p).isDirectory() ? allFiles(p) : [p];
  });
}
const names = (files: string[]): string[] => files.map((f) => path.basename(f)).sort();
const utcDay = (scet: number): string => new Date(simulatedUtcMs(scet)).toISOString().slice(0, 10).replace(/-/g, '');

describe('STIX levels', () => {
  let ws: ReturnType<typeof createStixWorkspace>;
  let config: StagebookConfig;
  let packets: SimPacket[];
  let first: StixRunResult;
  let second: StixRunResult;
  const sci = { scet: START + 5000, rid: 2405147703, tcSeq: 49189, samples: 120, packets: 4 };

  beforeAll(async () => {
    ws = createStixWorkspace(dir);
    config = loadStagebookConfig(ws.config).config;
    writeTimeCorrelation(ws.tcDir, 'predicted', 1, START - 86_400, START + 3 * 86_400);
    packets = simulateStixPackets({ startScet: START, durationS: 4 * 3600, science: [sci], seed: 3 });
    const sciIdx = packets.map((p, i) => (p.kind === 'sci' ? i : -1)).filter((i) => i >= 0);
    // file A: up to the second science packet; file B: from 2 packets earlier (duplicates) to the end
    const cut = sciIdx[1] + 1;
    const fileA = packets.slice(0, cut);
    const fileB = packets.slice(cut - 2);
    const corruptAt = fileA.findIndex((p) => p.kind === 'hk' && p.scet > START + 600);
    deliverLikeRsync(ws.incoming, tmFileName(new Date(Date.UTC(2024, 4, 26, 1)), 'A'), stixTmXml(fileA, corruptAt));
    first = await runStix(config, {
      inputFiles: [path.join(ws.incoming, tmFileName(new Date(Date.UTC(2024, 4, 26, 1)), 'A'))],
    });
    deliverLikeRsync(ws.incoming, tmFileName(new Date(Date.UTC(2024, 4, 26, 5)), 'B'), stixTmXml(fileB));
    second = await runStix(config, {
      inputFiles: [path.join(ws.incoming, tmFileName(new Date(Date.UTC(2024, 4, 26, 5)), 'B'))],
    });
  });

  it('names every level exactly as STIX does', () => {
    expect(first.status).toBe('succeeded');
    const day = utcDay(START);
    const fits = path.join(ws.root, 'fits');
    expect(names(allFiles(path.join(fits, 'LB')))).toEqual([
      'solo_LB_stix-21-6-21_0000000000-9999999999_V02_2405147703-49189.fits',
      'solo_LB_stix-21-6-30_0769996800_V02.fits',
      'solo_LB_stix-3-25-2_0769996800_V02.fits',
    ]);
    const l0 = names(allFiles(path.join(fits, 'L0')));
    expect(l0).toContain('solo_L0_stix-hk-maxi_0769996800_V02.fits');
    expect(l0).toContain('solo_L0_stix-ql-lightcurve_0769996800_V02.fits');
    expect(l0.find((n) => n.includes('sci'))).toMatch(
      /^solo_L0_stix-sci-xray-cpd_0770005000-077000506\d_V02_2405147703-49189\.fits$/,
    );
    expect(names(allFiles(path.join(fits, 'L1'))).filter((n) => !n.includes('sci'))).toEqual([
      `solo_L1_stix-hk-maxi_${day}_V02U.fits`,
      `solo_L1_stix-ql-lightcurve_${day}_V02U.fits`,
    ]);
    const sciL1 = names(allFiles(path.join(fits, 'L1'))).find((n) => n.includes('sci')) as string;
    const t0 = new Date(simulatedUtcMs(sci.scet, 'predicted')).toISOString().slice(0, 19).replace(/[-:]/g, '');
    expect(sciL1.startsWith(`solo_L1_stix-sci-xray-cpd_${t0}-`)).toBe(true);
    expect(sciL1.endsWith('_V02_2405147703-49189.fits')).toBe(true);
    expect(names(allFiles(path.join(fits, 'L2')))).toEqual([`solo_L2_stix-ql-lightcurve_${day}_V02U.fits`]);
  });

  it('refuses engine.concurrency > 1 (units merge into shared products)', async () => {
    await expect(runStix({ ...config, engine: { ...config.engine, concurrency: 2 } })).rejects.toMatchObject({
      code: 'E_CONFIG_INVALID',
    });
  });

  it('reports the corrupt packet as an error and processes the others', () => {
    expect(first.errors.some((e) => /E_STIX_PACKET: .*PktTmRaw.*packet \d+: data length field says/.test(e))).toBe(
      true,
    );
    expect(second.errors).toEqual([]);
  });

  it('assembles the science report only once its last packets arrive in the second file', () => {
    expect(first.produced.some((f) => f.includes('solo_L0_stix-sci'))).toBe(false);
    const l0 = second.produced.find((f) => f.includes('solo_L0_stix-sci')) as string;
    expect(readProduct(l0).tables.data[0].values.length).toBe(sci.samples);
  });

  it('merges the second TM of the day into the same products, dropping duplicates', () => {
    const hkL0 = allFiles(path.join(ws.root, 'fits', 'L0')).find((f) => f.includes('hk-maxi')) as string;
    const p = readProduct(hkL0);
    const expectedHk = packets.filter((x) => x.kind === 'hk').length - 1; // one HK packet was corrupt in file A
    expect(p.tables.data[0].values.length).toBe(expectedHk);
    const times = p.tables.data[0].values as number[];
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(String(p.header.get('RAW_FILE'))).toMatch(/\.A@.*;.*\.B@/);
    expect(second.produced.some((f) => f.endsWith(path.basename(hkL0)))).toBe(true);
  });

  it('predicted -> U file; definitive -> complete file, the U file gone and marked deleted in the ledger', async () => {
    const l1Dir = path.join(ws.root, 'fits', 'L1');
    const uFile = allFiles(l1Dir).find((f) => f.includes('hk-maxi') && f.includes('V02U')) as string;
    const before = readProduct(uFile).tables.data.find((c) => c.name === 'time_utc')?.values[0] as string;
    expect(readProduct(uFile).header.get('COMPLETE')).toBe('U');
    writeTimeCorrelation(ws.tcDir, 'definitive', 1, START - 86_400, START + 2 * 86_400);
    const r = await runStix(config, { startLevel: 'L1' });
    expect(r.status).toBe('succeeded');
    const l1 = names(allFiles(l1Dir));
    expect(l1.some((n) => n.includes('U.fits'))).toBe(false);
    const complete = uFile.replace('_V02U.fits', '_V02.fits');
    expect(existsSync(complete)).toBe(true);
    const p = readProduct(complete);
    expect(p.header.get('COMPLETE')).toBe('C');
    const after = p.tables.data.find((c) => c.name === 'time_utc')?.values[0] as string;
    expect(Date.parse(`${before}Z`) - Date.parse(`${after}Z`)).toBe(150); // the predicted correlation was 150 ms off
    expect(names(allFiles(path.join(ws.root, 'fits', 'L2')))).toEqual([
      `solo_L2_stix-ql-lightcurve_${utcDay(START)}_V02.fits`,
    ]);
    const ledger = Ledger.open(config.ledger);
    try {
      const state = (f: string): string =>
        (ledger.sql('SELECT state FROM files WHERE path = ?').get(f) as { state: string }).state;
      // the L1 unit re-made its file under the complete name: the engine supersedes the U file;
      // the L2 U file came from another unit (the U L1 file): runStix marks it deleted
      expect(state(uFile)).toBe('superseded');
      const l2U = path.join(
        ws.root,
        'fits',
        'L2',
        path.relative(l1Dir, path.dirname(uFile)).replace('HK', 'QL'),
        `solo_L2_stix-ql-lightcurve_${utcDay(START)}_V02U.fits`,
      );
      expect(state(l2U)).toBe('deleted');
      expect(state(complete)).toBe('complete');
    } finally {
      ledger.close();
    }
  });

  it('every product is valid FITS that astropy reads without warnings', () => {
    const files = allFiles(path.join(ws.root, 'fits'));
    expect(files.length).toBeGreaterThanOrEqual(10);
    const script = [
      'import sys, warnings',
      "warnings.simplefilter('error')",
      'from astropy.io import fits',
      'from astropy.table import Table',
      'for f in sys.argv[1:]:',
      '    with fits.open(f, checksum=True) as h:',
      "        h.verify('exception')",
      "        assert [x.name for x in h] == ['PRIMARY', 'CONTROL', 'DATA'], f",
      "        assert h[0].header['FILENAME'] == f.split('/')[-1], f",
      "    Table.read(f, hdu='DATA'); Table.read(f, hdu='CONTROL')",
      "print('ok', len(sys.argv) - 1)",
    ].join('\n');
    const out = execFileSync('/usr/bin/python3', ['-c', script, ...files], { encoding: 'utf8' });
    expect(out.trim()).toBe(`ok ${files.length}`);
  });

  it("bounded buffering (packets merged into the unit's LB files in batches) gives the same products", async () => {
    const ws2 = createStixWorkspace(path.join(dir, 'batched'));
    writeTimeCorrelation(ws2.tcDir, 'predicted', 1, START - 86_400, START + 3 * 86_400);
    const cfg = loadStagebookConfig(ws2.config).config;
    const name = tmFileName(new Date(Date.UTC(2024, 4, 26, 1)), 'all');
    deliverLikeRsync(ws2.incoming, name, stixTmXml(packets));
    const batched = await runStix({ ...cfg, stages: { 'tm-to-lb': { maxBufferedPackets: 100 } } }, { endLevel: 'L0' });
    expect(batched.status).toBe('succeeded');
    const ws3 = createStixWorkspace(path.join(dir, 'whole'));
    writeTimeCorrelation(ws3.tcDir, 'predicted', 1, START - 86_400, START + 3 * 86_400);
    deliverLikeRsync(ws3.incoming, name, stixTmXml(packets));
    const whole = await runStix(loadStagebookConfig(ws3.config).config, { endLevel: 'L0' });
    const digest = (files: string[]) =>
      Object.fromEntries(
        files.map((f) => [path.basename(f), JSON.stringify(readProduct(f).tables.data.map((c) => c.values))]),
      );
    expect(digest(batched.produced)).toEqual(digest(whole.produced));
    expect(batched.produced.length).toBe(6);
  });
});
