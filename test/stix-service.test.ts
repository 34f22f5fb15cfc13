// The STIX service in-process: chokidar on a real folder, rsync-style delivery, FIFO worker, per-TM
// .log/.log.err/.out, start_with_unprocessed, definitive time correlation -> complete files, stop on
// error, and the TCP status endpoint. Every wait is on a service event, never on a timer.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStagebookConfig } from '../kernel-lib/src/config/schema';
import { Ledger } from '../kernel-lib/src/ledger/ledger';
import { StixService, type ServiceJob } from '../kernel-lib/src/pipelines/stix/service';
import { answer, queryStatus, startStatusServer } from '../kernel-lib/src/pipelines/stix/status';
import { tmLogPaths } from '../kernel-lib/src/pipelines/stix/tm-logs';
import { readProduct } from '../kernel-lib/src/pipelines/stix/fits-product';
import {
  createStixWorkspace,
  writeSimulatedIdb,
  deliverLikeRsync,
  simulateStixPackets,
  stixTmXml,
  tmFileName,
  writeTimeCorrelation,
} from '../kernel-lib/src/testing/stix';

const START = 770_000_000;
const base = mkdtempSync(path.join(tmpdir(), 'stix-service-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

type Processed = { job: ServiceJob; products: string[]; failure?: string; errors: number };

/** Resolves with the `processed` event of `file`. */
function processedOf(service: StixService, file: string): Promise<Processed> {
  return new Promise((resolve) => {
    const on = (p: Processed): void => {
      if (p.job.file === file) {
        service.off('processed', on);
        resolve(p);
      }
    };
    service.on('processed', on);
  });
}

function packets(fromS: number, toS: number) {
  return simulateStixPackets({ startScet: START, durationS: 4 * 3600, seed: 5 }).filter(
    (p) => p.scet >= START + fromS && p.scet < START + toS,
  );
}

describe('STIX service', () => {
  let ws: ReturnType<typeof createStixWorkspace>;
  let service: StixService;
  let port: number;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ws = createStixWorkspace(path.join(base, 'a'));
    writeTimeCorrelation(ws.tcDir, 'predicted', 1, START - 86_400, START + 2 * 86_400);
    const { config } = loadStagebookConfig(ws.config);
    service = new StixService(config);
    const srv = await startStatusServer(service, 0);
    port = srv.port;
    close = () => new Promise((r) => srv.server.close(() => r()));
    await service.start();
  });
  afterAll(async () => {
    await service.stop();
    await close();
  });

  it('a TM renamed into the folder produces LB..L2; a temp file never renamed produces nothing', async () => {
    const never = deliverLikeRsync(
      ws.incoming,
      tmFileName(new Date(Date.UTC(2024, 4, 26, 0)), 'tmp'),
      stixTmXml(packets(0, 3600)),
      { rename: false },
    );
    const name = tmFileName(new Date(Date.UTC(2024, 4, 26, 1)), 'one');
    const done = processedOf(service, path.join(ws.incoming, name));
    let sawCurrent = '';
    service.once('started', () => {
      sawCurrent = answer(service, 'current');
    });
    deliverLikeRsync(ws.incoming, name, stixTmXml(packets(0, 3600), 3));
    const p = await done;
    expect(sawCurrent.startsWith(`current: ${name} since 20`)).toBe(true);
    expect(p.failure).toBeUndefined();
    const levels = p.products.map((f) => path.basename(f).split('_')[1]);
    expect(new Set(levels)).toEqual(new Set(['LB', 'L0', 'L1', 'L2']));
    const logs = tmLogPaths(service.paths.tmLogs, name);
    expect(readFileSync(logs.out, 'utf8').trim().split('\n').sort()).toEqual([...p.products].sort());
    // the corrupt packet (index 3) is in .log.err; the others made products
    expect(readFileSync(logs.err, 'utf8')).toMatch(/ERROR .*E_STIX_PACKET: .*packet 3: data length field says/);
    expect(existsSync(never.temp)).toBe(true);
    expect(readdirSync(service.paths.tmLogs).some((f) => f.includes('.tmp'))).toBe(false);
    const ledger = Ledger.open(service.config.ledger);
    try {
      const ev = ledger
        .sql(`SELECT message FROM events WHERE type = 'stix-service' AND message LIKE ?`)
        .all(`%${name}%`) as { message: string }[];
      expect(ev.some((e) => e.message.includes('queued'))).toBe(true);
    } finally {
      ledger.close();
    }
  });

  it("the status endpoint answers last, error, current, next, config (and the real client's open)", async () => {
    expect(await queryStatus(port, 'last')).toMatch(/^last: .*one@.* succeeded, \d+ product\(s\)$/);
    expect(await queryStatus(port, 'error')).toMatch(/^error: .*one@.*error record/);
    expect(await queryStatus(port, 'current')).toBe('current: idle');
    expect(await queryStatus(port, 'next')).toBe('open files: 0');
    expect(await queryStatus(port, 'open')).toBe('open files: 0');
    expect(JSON.parse(await queryStatus(port, 'config')).options.service.startWithUnprocessed).toBe(true);
    expect(await queryStatus(port, 'bogus')).toMatch(/^unknown command: bogus/);
  });

  it("a second TM of the same day merges into the day's products", async () => {
    const name = tmFileName(new Date(Date.UTC(2024, 4, 26, 3)), 'two');
    const done = processedOf(service, path.join(ws.incoming, name));
    deliverLikeRsync(ws.incoming, name, stixTmXml(packets(3000, 7200)));
    const p = await done;
    const hk = p.products.find((f) => f.includes('solo_L0_stix-hk-maxi')) as string;
    expect(readFileSync(tmLogPaths(service.paths.tmLogs, name).log, 'utf8')).toMatch(
      /solo_L0_stix-hk-maxi_0769996800_V02\.fits: \d+ new row\(s\), \d+ duplicate\(s\) dropped \(merged\)/,
    );
    expect(hk).toBeDefined();
  });

  it('a newer IDB is picked up for the next TM (logged, recorded in the L0 header)', async () => {
    writeSimulatedIdb(path.join(ws.idbDir, 'idb_2.27.0.sqlite'), '2.27.0');
    const name = tmFileName(new Date(Date.UTC(2024, 4, 26, 4)), 'three');
    const reloaded = new Promise<{ idbVersion: string }>((r) => service.once('reloaded', r));
    const done = processedOf(service, path.join(ws.incoming, name));
    deliverLikeRsync(ws.incoming, name, stixTmXml(packets(7000, 9000)));
    expect((await reloaded).idbVersion).toBe('2.27.0');
    const p = await done;
    expect(readFileSync(tmLogPaths(service.paths.tmLogs, name).log, 'utf8')).toMatch(
      /reloaded: IDB 2\.26\.35 -> 2\.27\.0/,
    );
    const l0 = p.products.find((f) => f.includes('solo_L0_stix-hk-maxi')) as string;
    expect(readProduct(l0).header.get('VERS_IDB')).toBe('2.27.0');
  });

  it('a definitive time correlation makes the complete files and removes the U files', async () => {
    const tc = path.join(ws.tcDir, 'solo_time_correlation_definitive_V01.json');
    const done = processedOf(service, tc);
    writeTimeCorrelation(ws.tcDir, 'definitive', 1, START - 86_400, START + 86_400);
    const p = await done;
    expect(p.failure).toBeUndefined();
    const l1 = p.products.filter((f) => f.includes('/L1/')).map((f) => path.basename(f));
    expect(l1.length).toBeGreaterThan(0);
    expect(l1.every((n) => !/_V\d\dU/.test(n))).toBe(true);
    expect(readFileSync(tmLogPaths(service.paths.tmLogs, tc).log, 'utf8')).toMatch(/replaced by the complete file/);
  });
});

describe('STIX service start-up and errors', () => {
  it('start_with_unprocessed queues the TM files without .out; stop on error stops the service', async () => {
    const ws = createStixWorkspace(path.join(base, 'b'), { service: { onError: 'stop' } });
    writeTimeCorrelation(ws.tcDir, 'predicted', 1, START - 86_400, START + 2 * 86_400);
    const { config } = loadStagebookConfig(ws.config);
    const good = deliverLikeRsync(
      ws.incoming,
      tmFileName(new Date(Date.UTC(2024, 4, 26, 1)), 'good'),
      stixTmXml(packets(0, 1800)),
    ).final;
    const done = deliverLikeRsync(
      ws.incoming,
      tmFileName(new Date(Date.UTC(2024, 4, 26, 2)), 'done'),
      stixTmXml(packets(1800, 2400)),
    ).final;
    const first = new StixService(config);
    mkdirSync(first.paths.tmLogs, { recursive: true });
    writeFileSync(tmLogPaths(first.paths.tmLogs, done).out, '');
    // a TC report under a TM name: the run fails and, with onError stop, the service stops
    const tcReport = path.join(ws.incoming, tmFileName(new Date(Date.UTC(2024, 4, 26, 3)), 'tc'));
    writeFileSync(
      tcReport,
      '<?xml version="1.0"?><ns2:ResponsePart><Response><PktTcReportResponse></PktTcReportResponse></Response></ns2:ResponsePart>',
    );
    const queued: string[] = [];
    first.on('queued', (j: ServiceJob) => queued.push(path.basename(j.file)));
    const stopped = new Promise<string>((r) => first.once('stopped', r));
    const goodDone = processedOf(first, good);
    await first.start();
    expect(queued).toEqual([path.basename(good), path.basename(tcReport)]);
    expect((await goodDone).failure).toBeUndefined();
    expect(await stopped).toMatch(/^stop on error: .*E_STIX_TM_FORMAT|^stop on error: run .* failed/);
    expect(readFileSync(tmLogPaths(first.paths.tmLogs, tcReport).err, 'utf8')).toMatch(
      /PktTcReportResponse|not telemetry/,
    );
  });
});
