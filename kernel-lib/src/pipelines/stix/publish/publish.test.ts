// The publish rules: STIXCore's test_publish_fits_to_esa (request ids 123-130: 1 PUBLISHED, 2 MODIFIED,
// 2 IGNORED re-requests, 1 BLACKLISTED, 2 "max supplement error"), then one test per rule of the
// per-file step, and the fixes documented in docs/stix.md.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFitsHeader } from '../../../formats/fits';
import { ridRows, writePublishFixture, writePublishSvg, writeRidTable } from '../../../testing/stix/publish-fixtures';
import { writeTimeCorrelation } from '../../../testing/stix/workspace';
import { PublishHistory } from './history';
import { publishOptionsFrom } from './cli';
import { resolvePublishOptions, type PublishOptions } from './options';
import { publishStix, type PublishItem } from './publish';
import { appendSupplementReport, mailSubject, publishCounts } from './report';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'sb-publish-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const NOW = new Date('2026-12-07T12:00:00Z');
const OLD = Date.parse('2026-11-01T00:00:00Z');

function opts(extra: Record<string, unknown> = {}): PublishOptions {
  return resolvePublishOptions({
    fitsDir: path.join(dir, 'fits'),
    targetDir: path.join(dir, 'esa'),
    sameEsaNameDir: path.join(dir, 'same'),
    dbFile: path.join(dir, 'test.sqlite'),
    supplementReport: path.join(dir, 'supplement_report.csv'),
    includeLevels: 'l1',
    waitingPeriod: '0s',
    ...extra,
  });
}

const fitsDir = (): string => path.join(dir, 'fits');
const byResult = (items: PublishItem[], r: string): PublishItem[] => items.filter((i) => i.result === r);

describe('stix publish: STIXCore test_publish_fits_to_esa', () => {
  it('request ids 123-130: 1 PUBLISHED, 2 MODIFIED, 2 IGNORED, 1 BLACKLISTED, 2 max supplement errors', () => {
    const files: string[] = [];
    const counts: Record<number, number[]> = { 123: [1, 2], 124: [1, 2], 125: [1, 2], 126: [100, 2], 127: [200, 2] };
    Object.assign(counts, { 128: [300, 2], 129: [400, 2] });
    for (const rid of [123, 124, 125, 126, 127, 128, 129])
      files.push(writePublishFixture({ dir: fitsDir(), rid, counts: counts[rid], mtimeMs: OLD }));
    files.push(
      writePublishFixture({ dir: fitsDir(), rid: 130, counts: [400, 2], product: 'sci-xray-vis', mtimeMs: OLD }),
    );
    const blacklist = path.join(dir, 'blacklist.txt');
    require('node:fs').writeFileSync(blacklist, path.basename(files[7]) + '\n');
    const rid = writeRidTable(path.join(dir, 'rid_lut.csv'), ridRows([123, 124, 125, 126, 127, 128, 129, 130]));
    const sources = files.map((f) => readFileSync(f));
    const o = opts({ sortFiles: true, blacklistFiles: blacklist, ridLutFile: rid });
    const run = publishStix(o, { now: NOW });
    appendSupplementReport(o.supplementReport, run.supplements); // already written by the run: not repeated

    expect(byResult(run.items, 'PUBLISHED').map((i) => i.name)).toEqual([path.basename(files[0])]);
    expect(byResult(run.items, 'MODIFIED')).toHaveLength(2);
    expect(byResult(run.items, 'IGNORED')).toHaveLength(2);
    expect(byResult(run.items, 'BLACKLISTED')).toHaveLength(1);
    const errors = byResult(run.items, 'ERROR');
    expect(errors).toHaveLength(2);
    expect(errors[0].reason).toMatch(/^max supplement error/);
    expect(mailSubject(publishCounts(run))).toBe('StixCore TMTC Publishing ERROR-Report E 2 I 3 S 2 P 1');

    // every published file carries its own name in FILENAME
    const target = readdirSync(path.join(dir, 'esa'))
      .filter((n) => n.endsWith('.fits'))
      .sort();
    expect(target).toHaveLength(3);
    for (const n of target) expect(readFitsHeader(path.join(dir, 'esa', n)).get('FILENAME')).toBe(n);
    expect(target.filter((n) => n.includes('-sup1_'))).toHaveLength(1);
    expect(target.filter((n) => n.includes('-sup2_'))).toHaveLength(1);
    // sup3 and sup4 went to the same-ESA-name folder
    expect(readdirSync(path.join(dir, 'same')).sort()).toEqual([path.basename(files[5]), path.basename(files[6])]);
    // the supplement report: header + 2 rows naming the base file and the BSD comment
    const tsv = readFileSync(o.supplementReport, 'utf8').trim().split('\n');
    expect(tsv[0]).toBe('filename\tbasefile\tcomment');
    expect(tsv).toHaveLength(3);
    expect(tsv[1].split('\t')[1]).toBe(path.basename(files[0]));
    expect(tsv[1].split('\t')[2]).toBe("BSD request id: '126' reason: 'flare 126, spectroscopy, pixel set B'");
    // source files are never edited (STIXCore wrote HISTORY into them)
    files.forEach((f, i) => expect(readFileSync(f).equals(sources[i])).toBe(true));

    // the history says what the report says (STIXCore left NULL for re-requests and IGNORED for errors)
    const h = PublishHistory.open(o.dbFile);
    const results = h.all().map((r) => `${r.name.slice(-21, -11)}:${r.result}:${r.modified_esaname ?? ''}`);
    h.close();
    expect(results).toEqual([
      '0000000123:PUBLISHED:',
      '0000000124:IGNORED:',
      '0000000125:IGNORED:',
      '0000000126:MODIFIED:solo_L1_stix-sci-xray-spec-sup1_20220223T000000-20220223T000010_V02.fits',
      '0000000127:MODIFIED:solo_L1_stix-sci-xray-spec-sup2_20220223T000000-20220223T000010_V02.fits',
      '0000000128:ERROR:',
      '0000000129:ERROR:',
      '0000000130:BLACKLISTED:',
    ]);

    // nothing new on a rerun
    const again = publishStix(o, { now: NOW });
    expect(again.items).toEqual([]);
    expect(again.candidates.every((c) => c.reason.startsWith('in history'))).toBe(true);
  });
});

describe('stix publish: one test per rule', () => {
  it('ADDED: copied with the BSD COMMENT and HISTORY "published to ESA SOAR as <name> on <iso>"', () => {
    const f = writePublishFixture({ dir: fitsDir(), rid: 126, mtimeMs: OLD });
    const rid = writeRidTable(path.join(dir, 'rid_lut.csv'), ridRows([126]));
    const run = publishStix(opts({ ridLutFile: rid }), { now: NOW });
    expect(run.items.map((i) => i.result)).toEqual(['PUBLISHED']);
    const h = readFitsHeader(path.join(dir, 'esa', path.basename(f)));
    // long COMMENT text continues over several cards, as astropy writes it
    expect(h.comments().join('')).toContain(
      "BSD request id: '126' reason: 'flare 126, spectroscopy, M-class, re-requested'",
    );
    expect(h.history().join('')).toContain(`published to ESA SOAR as '${path.basename(f)}' on 2026-12-07T12:00:00.000`);
  });

  it('BSD comment: none for a request id missing from the RID table', () => {
    const f = writePublishFixture({ dir: fitsDir(), rid: 999, mtimeMs: OLD });
    const rid = writeRidTable(path.join(dir, 'rid_lut.csv'), ridRows([126]));
    publishStix(opts({ ridLutFile: rid }), { now: NOW });
    expect(
      readFitsHeader(path.join(dir, 'esa', path.basename(f)))
        .comments()
        .join(''),
    ).not.toMatch(/BSD request/);
  });

  it('incomplete U file: renamed to the complete name with refreshed headers, then published', () => {
    const f = writePublishFixture({
      dir: fitsDir(),
      product: 'ql-lightcurve',
      dates: '20220223',
      incomplete: true,
      mtimeMs: OLD,
    });
    const tc = path.join(dir, 'timecorr');
    writeTimeCorrelation(tc, 'predicted', 1, 700_000_000, 700_100_000);
    writeTimeCorrelation(tc, 'definitive', 3, 700_000_000, 700_100_000);
    const run = publishStix(opts({ timeCorrelationDir: tc }), { now: NOW });
    const done = path.join(fitsDir(), 'solo_L1_stix-ql-lightcurve_20220223_V02.fits');
    expect(run.items).toEqual([expect.objectContaining({ name: path.basename(done), result: 'PUBLISHED' })]);
    expect(existsSync(f)).toBe(false);
    expect(statSync(done).mtimeMs).toBe(OLD); // the rename keeps the modification time
    const h = readFitsHeader(done);
    expect(h.get('FILENAME')).toBe(path.basename(done));
    expect(h.get('VERS_TC')).toBe('predicted-V1+definitive-V3'); // the newest tables
    expect(h.history().join('')).toMatch(/updated ephemeris header with latest kernel at 2026-12-07T12:00:00.000/);
    expect(readFitsHeader(path.join(dir, 'esa', path.basename(done))).get('FILENAME')).toBe(path.basename(done));
  });

  it('incomplete U file whose complete twin exists with other data: the twin is not replaced (STIXCore replaced it)', () => {
    const u = writePublishFixture({
      dir: fitsDir(),
      product: 'ql-lightcurve',
      dates: '20220223',
      incomplete: true,
      counts: [5, 5],
      mtimeMs: OLD,
    });
    const c = writePublishFixture({ dir: fitsDir(), product: 'ql-lightcurve', dates: '20220223', mtimeMs: OLD });
    const before = readFileSync(c);
    const run = publishStix(opts(), { now: NOW });
    expect(run.items.find((i) => i.name === path.basename(u))).toMatchObject({
      result: 'IGNORED',
      reason: /exists with other data/,
    });
    expect(run.items.find((i) => i.name === path.basename(c))?.result).toBe('PUBLISHED');
    expect(existsSync(u)).toBe(true);
    expect(readFileSync(c).equals(before)).toBe(true);
  });

  it('DATE-BEG more than 7 days ahead: IGNORED without a history row, published once the day is near', () => {
    writePublishFixture({ dir: fitsDir(), rid: 5, dateBeg: '2026-12-20T00:00:00.000', mtimeMs: OLD });
    const first = publishStix(opts(), { now: NOW });
    expect(first.items).toEqual([
      expect.objectContaining({ result: 'IGNORED', reason: expect.stringMatching(/more than 7 d ahead/) }),
    ]);
    expect(first.items[0].row).toBeUndefined();
    const later = publishStix(opts(), { now: new Date('2026-12-14T00:00:00Z') });
    expect(later.items.map((i) => i.result)).toEqual(['PUBLISHED']);
  });

  it('blacklisted: BLACKLISTED, recorded, not copied', () => {
    const f = writePublishFixture({ dir: fitsDir(), rid: 7, mtimeMs: OLD });
    const bl = path.join(dir, 'bl.txt');
    require('node:fs').writeFileSync(bl, `x\n${path.basename(f)}\n`);
    const run = publishStix(opts({ blacklistFiles: bl }), { now: NOW });
    expect(run.items).toEqual([
      expect.objectContaining({ result: 'BLACKLISTED', row: expect.objectContaining({ result: 'BLACKLISTED' }) }),
    ]);
    expect(existsSync(path.join(dir, 'esa', path.basename(f)))).toBe(false);
  });

  it('SAME_ESA_NAME with identical DATA (keywords differ): IGNORED as a re-request', () => {
    writePublishFixture({ dir: fitsDir(), rid: 1, mtimeMs: OLD });
    publishStix(opts(), { now: NOW });
    writePublishFixture({ dir: fitsDir(), rid: 2, mtimeMs: OLD }); // other SCI_RID keyword, same data
    const run = publishStix(opts(), { now: NOW });
    expect(run.items).toEqual([
      expect.objectContaining({ result: 'IGNORED', reason: expect.stringMatching(/^re-request/) }),
    ]);
  });

  it('SAME_ESA_NAME with other DATA: supplement -sup1 with COMMENT and FILENAME updated, MODIFIED', () => {
    const a = writePublishFixture({ dir: fitsDir(), rid: 1, mtimeMs: OLD });
    const b = writePublishFixture({ dir: fitsDir(), rid: 2, counts: [9, 9], mtimeMs: OLD });
    const run = publishStix(opts({ sortFiles: true }), { now: NOW });
    expect(run.items.map((i) => i.result)).toEqual(['PUBLISHED', 'MODIFIED']);
    const sup = path.basename(b).replace('xray-spec_', 'xray-spec-sup1_');
    const h = readFitsHeader(path.join(dir, 'esa', sup));
    expect(h.get('FILENAME')).toBe(sup);
    expect(h.comments().join('')).toContain(
      `supplement data product combine with: ${path.basename(a)}. Orig filename of this supplement was ${path.basename(b)}.`,
    );
    expect(h.history().join('')).toContain(`published to ESA SOAR as '${sup}'`);
  });

  it('a third supplement goes to the same-ESA-name folder and is reported as max supplement error', () => {
    for (const [rid, c] of [
      [1, [1]],
      [2, [2]],
      [3, [3]],
      [4, [4]],
    ] as Array<[number, number[]]>)
      writePublishFixture({ dir: fitsDir(), rid, counts: c, mtimeMs: OLD });
    const run = publishStix(opts({ sortFiles: true }), { now: NOW });
    expect(run.items.map((i) => i.result)).toEqual(['PUBLISHED', 'MODIFIED', 'MODIFIED', 'ERROR']);
    expect(run.items[3].placedAs).toBe(path.join(dir, 'same', run.items[3].name));
  });
});

describe('stix publish: remote target', () => {
  it('a failed scp is an ERROR of that file, not recorded, and the next run publishes it', () => {
    const f = writePublishFixture({ dir: fitsDir(), rid: 3, mtimeMs: OLD });
    const remote = path.join(dir, 'remote');
    require('node:fs').mkdirSync(remote);
    const o = { targetHost: 'soar.example', targetDir: remote, sshCommand: ['sh', '-c', 'sh -c "$2"', 'ssh'] };
    const failed = publishStix(opts({ ...o, scpCommand: ['sh', '-c', 'echo refused >&2; exit 1', 'scp'] }), {
      now: NOW,
    });
    expect(failed.items).toEqual([
      expect.objectContaining({ result: 'ERROR', reason: expect.stringMatching(/scp .* exited 1: refused/) }),
    ]);
    expect(failed.items[0].row).toBeUndefined();
    const ok = publishStix(opts({ ...o, scpCommand: ['sh', '-c', 'cp "$1" "${2#*:}"', 'scp'] }), { now: NOW });
    expect(ok.items.map((i) => i.result)).toEqual(['PUBLISHED']);
    expect(readdirSync(remote)).toEqual([path.basename(f)]);
  });
});

describe('stix publish: one run at a time', () => {
  it('refuses to start while a live process holds the history lock; a dead owner is taken over', () => {
    writePublishFixture({ dir: fitsDir(), rid: 3, mtimeMs: OLD });
    const o = opts();
    const fs = require('node:fs') as typeof import('node:fs');
    fs.writeFileSync(`${o.dbFile}.lock`, String(process.ppid));
    expect(() => publishStix(o, { now: NOW })).toThrow(expect.objectContaining({ code: 'E_RUN_LOCKED' }));
    fs.writeFileSync(`${o.dbFile}.lock`, '999999999');
    expect(publishStix(o, { now: NOW }).items.map((i) => i.result)).toEqual(['PUBLISHED']);
    expect(existsSync(`${o.dbFile}.lock`)).toBe(false);
  });
});

describe('stix publish: option sources', () => {
  it('--defaults ini under a config that does not set them: stixcore.ini values; the file and flags win in order', () => {
    const cfg = path.join(dir, 'stix.yaml');
    require('node:fs').writeFileSync(
      cfg,
      JSON.stringify({ root: '.', options: { publish: { targetDir: 'esa', sameEsaNameDir: 'same', batchSize: 5 } } }),
    );
    const ini = publishOptionsFrom(['--config', cfg, '--defaults', 'ini']).options;
    expect([ini.waitingPeriod, ini.includeLevels, ini.batchSize]).toEqual(['7d', 'L0', 5]);
    expect(ini.targetDir).toBe(path.join(dir, 'esa'));
    expect(ini.fitsDir).toBe(path.join(dir, 'fits')); // the workspace's fitsDir
    const code = publishOptionsFrom(['--config', cfg, '-w', '2h', '-n', '9']).options;
    expect([code.waitingPeriod, code.includeLevels, code.batchSize]).toEqual(['2h', 'L0, L1, L2, ANC, LL03, CAL', 9]);
  });
});

describe('stix publish: candidates', () => {
  it('filters by version, level, waiting period (LL its own), product, history and batch size, with reasons', () => {
    const young = NOW.getTime() - 30_000;
    writePublishFixture({ dir: fitsDir(), rid: 1, version: 3, mtimeMs: OLD });
    writePublishFixture({ dir: fitsDir(), rid: 2, level: 'L0', mtimeMs: OLD });
    writePublishFixture({ dir: fitsDir(), rid: 5, mtimeMs: OLD });
    writePublishFixture({ dir: fitsDir(), rid: 3, mtimeMs: young });
    writePublishFixture({ dir: fitsDir(), rid: 4, product: 'cal-energy', mtimeMs: OLD });
    writePublishFixture({
      dir: fitsDir(),
      product: 'ql-lightcurve',
      dates: '20220224',
      incomplete: true,
      mtimeMs: OLD,
    });
    const svg = writePublishSvg(path.join(fitsDir(), 'LL'));
    require('node:fs').utimesSync(svg, young / 1000, young / 1000);
    const o = opts({
      includeVersions: 'V01, 2',
      includeLevels: 'L1, LL03',
      includeProducts: 'sci,ql',
      waitingPeriod: '1d',
      batchSize: 1,
    });
    const run = publishStix(o, { now: NOW, dryRun: true });
    const reasons = run.candidates.map((c) => c.reason);
    expect(reasons).toHaveLength(7);
    expect(reasons).toEqual(
      expect.arrayContaining([
        'version V3 not in -v V01, 2',
        'level L0 not in -l L1, LL03',
        expect.stringMatching(/^waiting: modified 30 s ago, waiting period 1d/),
        'product cal not in -p sci,ql',
        'to publish',
        'batch size 1 reached',
      ]),
    );
    // the LL03 svg waits only its 1 min: 30 s is not enough
    expect(run.candidates.find((c) => c.name.endsWith('.svg'))?.reason).toMatch(/LL waiting period 1min/);
    expect(run.items).toEqual([]);
    expect(existsSync(path.join(dir, 'esa'))).toBe(false); // a dry run changes nothing
    expect(existsSync(o.dbFile)).toBe(false);
  });

  it("-p '*' means every product (STIXCore raised UnboundLocalError) and an svg publishes beside its day's FITS", () => {
    writePublishFixture({
      dir: fitsDir(),
      level: 'LL03',
      product: 'ql-lightcurve',
      dates: '20220223',
      version: 1,
      mtimeMs: OLD,
    });
    const svg = writePublishSvg(path.join(fitsDir(), 'LL'));
    require('node:fs').utimesSync(svg, OLD / 1000, OLD / 1000);
    const run = publishStix(opts({ includeProducts: '*', includeLevels: 'LL03', includeVersions: '1' }), { now: NOW });
    expect(run.items.map((i) => `${i.result} ${path.extname(i.name)}`).sort()).toEqual([
      'PUBLISHED .fits',
      'PUBLISHED .svg',
    ]);
  });

  it('svgs come first in directory order; with --sort_files the batch is cut after sorting by path', () => {
    writePublishFixture({
      dir: path.join(fitsDir(), 'A'),
      level: 'LL03',
      product: 'ql-lightcurve',
      dates: '20220223',
      version: 1,
      mtimeMs: OLD,
    });
    const svg = writePublishSvg(path.join(fitsDir(), 'B'));
    require('node:fs').utimesSync(svg, OLD / 1000, OLD / 1000);
    const o = { includeLevels: 'LL03', batchSize: 1 };
    expect(publishStix(opts(o), { now: NOW, dryRun: true }).candidates[0]).toMatchObject({
      selected: true,
      name: path.basename(svg),
    });
    const sorted = publishStix(opts({ ...o, sortFiles: true }), { now: NOW, dryRun: true }).candidates;
    expect(sorted[0]).toMatchObject({ selected: true, name: expect.stringMatching(/\.fits$/) });
    expect(sorted[1]).toMatchObject({ selected: false, reason: 'batch size 1 reached' });
  });

  it('refuses unknown option fields and bad durations naming the field', () => {
    expect(() => opts({ waitingPeriod: '14 fortnights' })).toThrow(/waitingPeriod/);
    expect(() => opts({ bogus: 1 })).toThrow(/bogus/);
  });
});
