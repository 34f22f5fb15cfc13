// `stagebook stix publish` as a real child process (kernel-lib/dist: build first): configured from a
// stix.yaml, the report mailed to a local SMTP server and written as JSON, outputs valid for astropy,
// a remote target through scp/ssh commands, usage errors; and crash safety: a child publishing a batch
// is SIGKILLed before its k-th file operation (k drawn from a seed), then rerun: the target, the
// overflow folder and the history end exactly as after an uninterrupted run.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hduDataIdentical, readFitsHeader } from '../kernel-lib/src/formats/fits';
import { PublishHistory } from '../kernel-lib/src/pipelines/stix/publish/history';
import { seededRandom } from '../kernel-lib/src/simulate/random';
import { startLocalArchive } from '../kernel-lib/src/local-archive/server';
import {
  ridRows,
  writeL1DailyFixture,
  writePublishFixture,
  writeRidTable,
} from '../kernel-lib/src/testing/stix/publish-fixtures';

const CLI = path.resolve(__dirname, '../kernel-lib/dist/cli/main.js');
const base = mkdtempSync(path.join(tmpdir(), 'stix-publish-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
const OLD = Date.parse('2026-01-01T00:00:00Z');

function cli(
  args: string[],
  env: Record<string, string> = {},
): { code: number | null; signal: string | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'stix', 'publish', ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** The test_publish batch (rids 123-130) plus an incomplete daily file and an L1 file of another day. */
function writeBatch(fits: string): string[] {
  const counts: Record<number, number[]> = {
    123: [1, 2],
    124: [1, 2],
    125: [1, 2],
    126: [100, 2],
    127: [200, 2],
    128: [300, 2],
    129: [400, 2],
  };
  const files = Object.entries(counts).map(([rid, c]) =>
    writePublishFixture({ dir: fits, rid: Number(rid), counts: c, mtimeMs: OLD }),
  );
  files.push(writePublishFixture({ dir: path.join(fits, 'vis'), rid: 130, product: 'sci-xray-vis', mtimeMs: OLD }));
  files.push(
    writePublishFixture({
      dir: path.join(fits, 'ql'),
      product: 'ql-lightcurve',
      dates: '20220223',
      incomplete: true,
      mtimeMs: OLD,
    }),
  );
  files.push(
    writePublishFixture({ dir: path.join(fits, 'ql'), product: 'ql-lightcurve', dates: '20220224', mtimeMs: OLD }),
  );
  return files;
}

function workspace(
  name: string,
  extra: Record<string, unknown> = {},
): { dir: string; config: string; files: string[] } {
  const dir = path.join(base, name);
  const files = writeBatch(path.join(dir, 'ws', 'fits'));
  writeFileSync(path.join(dir, 'ws', 'blacklist.txt'), `${path.basename(files[7])}\n`);
  writeRidTable(path.join(dir, 'ws', 'rid_lut.csv'), ridRows([123, 124, 125, 126, 127, 128, 129, 130]));
  const yaml = {
    root: 'ws',
    options: {
      publish: {
        targetDir: 'esa',
        sameEsaNameDir: 'same',
        dbFile: 'published.sqlite',
        waitingPeriod: '1d',
        includeLevels: 'L1',
        sortFiles: true,
        blacklistFiles: 'blacklist.txt',
        ridLutFile: 'rid_lut.csv',
        supplementReport: 'supplement_report.tsv',
        summaryJson: 'summary.json',
        ...extra,
      },
    },
  };
  writeFileSync(path.join(dir, 'stix.yaml'), JSON.stringify(yaml, null, 2));
  return { dir, config: path.join(dir, 'stix.yaml'), files };
}

/** What a run leaves: target and overflow listings, history rows, no temp files. */
function outcome(dir: string): Record<string, unknown> {
  const ws = path.join(dir, 'ws');
  const h = PublishHistory.open(path.join(ws, 'published.sqlite'));
  const rows = h
    .all()
    .map((r) => `${r.name} ${r.result} ${r.modified_esaname ?? ''}`)
    .sort();
  h.close();
  const list = (d: string): string[] => (existsSync(d) ? readdirSync(d).sort() : []);
  const fitsFiles: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true }))
      e.isDirectory() ? walk(path.join(d, e.name)) : fitsFiles.push(path.relative(ws, path.join(d, e.name)));
  };
  walk(path.join(ws, 'fits'));
  const tsv = readFileSync(path.join(ws, 'supplement_report.tsv'), 'utf8').split('\n').sort();
  return {
    target: list(path.join(ws, 'esa')),
    same: list(path.join(ws, 'same')),
    rows,
    sources: fitsFiles.sort(),
    tsv,
  };
}

describe('stagebook stix publish (CLI)', () => {
  it('publishes from stix.yaml: results, summary JSON, supplement TSV, report mail, outputs valid for astropy', async () => {
    const { SMTPServer } = require('smtp-server') as {
      SMTPServer: new (o: Record<string, unknown>) => {
        listen(p: number, h: string, cb: () => void): void;
        close(cb: () => void): void;
        server: { address(): { port: number } };
      };
    };
    const mails: string[] = [];
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream: NodeJS.ReadableStream, _s: unknown, cb: () => void) {
        let text = '';
        stream.on('data', (c: Buffer) => (text += c.toString()));
        stream.on('end', () => {
          mails.push(text);
          cb();
        });
      },
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
    const mail = { host: '127.0.0.1', port: smtp.server.address().port, from: 'stix@localhost', to: ['ops@localhost'] };
    const ws = workspace('cli', { reportMail: mail });
    // the child runs asynchronously so this process can serve the SMTP session
    const { spawn } = require('node:child_process') as typeof import('node:child_process');
    const child = spawn(process.execPath, [CLI, 'stix', 'publish', '--config', ws.config], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((r) => child.once('close', r));
    await new Promise<void>((r) => smtp.close(() => r()));
    expect(stderr).toMatch(/stix publish: E 2 I 3 S 2 P 3/);
    expect(code).toBe(1); // two max-supplement errors: a run with failures never reports success
    expect(stdout.split('\n').filter((l) => l.startsWith('PUBLISHED '))).toHaveLength(3);
    const summary = JSON.parse(readFileSync(path.join(ws.dir, 'ws', 'summary.json'), 'utf8'));
    expect(summary.counts).toEqual({ PUBLISHED: 3, IGNORED: 2, MODIFIED: 2, BLACKLISTED: 1, ERROR: 2 });
    expect(summary.mailSummary).toBe('E 2 I 3 S 2 P 3');
    expect(
      readFileSync(path.join(ws.dir, 'ws', 'supplement_report.tsv'), 'utf8')
        .trim()
        .split('\n'),
    ).toHaveLength(3);
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatch(/Subject: StixCore TMTC Publishing ERROR-Report E 2 I 3 S 2 P 3/);
    expect(mails[0]).toMatch(/SUPPLEMENTS \(S\)/);
    // astropy reads every published file with valid checksums and a clean verify
    const esa = path.join(ws.dir, 'ws', 'esa');
    const script = `import sys, warnings\nwarnings.simplefilter('error')\nfrom astropy.io import fits\nfor f in sys.argv[1:]:\n  with fits.open(f, checksum=True) as h:\n    h.verify('exception')\n    print(h[0].header['FILENAME'])\n`;
    const names = readdirSync(esa).filter((n) => n.endsWith('.fits'));
    const py = spawnSync('/usr/bin/python3', ['-c', script, ...names.map((n) => path.join(esa, n))], {
      encoding: 'utf8',
    });
    expect(py.stderr).toBe('');
    expect(py.stdout.trim().split('\n').sort()).toEqual(names.sort());
  });

  it('places copies on a remote target through the scp and ssh commands (dot-name, then mv)', () => {
    const remote = path.join(base, 'remote-esa');
    mkdirSync(remote, { recursive: true });
    const ws = workspace('remote', {
      targetHost: 'soar.example',
      targetDir: remote,
      scpCommand: ['sh', '-c', 'cp "$1" "${2#*:}"', 'scp'],
      sshCommand: ['sh', '-c', 'sh -c "$2"', 'ssh'],
    });
    const logs = path.join(ws.dir, 'logs');
    const r = cli([
      '--config',
      ws.config,
      '--blacklist-files',
      path.join(ws.dir, 'ws', 'blacklist.txt'),
      '-o',
      logs,
      '--log_level',
      'ERROR',
    ]);
    // STIXCore's daily log pub_YYYYMMDD.log, filtered by --log_level (only the two ERROR lines)
    const log = readdirSync(logs);
    expect(log).toEqual([expect.stringMatching(/^pub_\d{8}\.log$/)]);
    expect(
      readFileSync(path.join(logs, log[0]), 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.split(' ')[1]),
    ).toEqual(['ERROR', 'ERROR']);
    expect(r.stderr).toMatch(/P 3/);
    const names = readdirSync(remote).sort();
    expect(names).toHaveLength(5); // 3 published + 2 supplements, no dot-files left
    expect(names.every((n) => n.startsWith('solo_'))).toBe(true);
    expect(readFitsHeader(path.join(remote, names[0])).get('FILENAME')).toBe(names[0]);
  });

  it('usage and config errors exit 2 and 3 naming the flag or field; --dry-run changes nothing', () => {
    expect(cli(['-f', base]).code).toBe(2);
    expect(cli(['-f', base, '-t', 'x', '-s', 'y', '-S', 'meta.tm']).stderr).toMatch(/-S: SPICE kernels are not used/);
    const bad = cli(['-f', base, '-t', 'x', '-s', 'y', '-w', '2 fortnights']);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/waitingPeriod/);
    const ws = workspace('dry');
    const dry = cli(['--config', ws.config, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^PUBLISH solo_L1_stix-ql-lightcurve_20220223_V02U\.fits: to publish$/m);
    expect(existsSync(path.join(ws.dir, 'ws', 'esa'))).toBe(false);
  });
});

describe('stagebook stix publish --update_rid_lut and stagebook stix daily (CLI)', () => {
  it('updates the RID table from the local archive before publishing, and the new reason reaches the COMMENT', async () => {
    const today = new Date();
    const day = (d: number): string => new Date(today.getTime() - d * 86_400_000).toISOString().slice(0, 19);
    const rows = ridRows([123, 124, 125, 126, 127, 128, 129, 130], day(20));
    const served = [...rows, { ...ridRows([140], day(5))[0], subject: 'new request 140' }];
    const archive = await startLocalArchive({ bsdRequests: served });
    try {
      const ws = workspace('rid', { updateRidLut: true, ridLutUpdateUrl: `${archive.url}api/bsd/info/` });
      writeRidTable(path.join(ws.dir, 'ws', 'rid_lut.csv'), rows);
      writePublishFixture({
        dir: path.join(ws.dir, 'ws', 'fits', 'new'),
        rid: 140,
        dates: '20220301T000000-20220301T000010',
        mtimeMs: OLD,
      });
      const { spawn } = require('node:child_process') as typeof import('node:child_process');
      const child = spawn(process.execPath, [CLI, 'stix', 'publish', '--config', ws.config], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      await new Promise((r) => child.once('close', r));
      expect(stderr).toMatch(/RID table: 1 slice\(s\), 1 new row\(s\), 9 in /);
      expect(archive.count(/^\/api\/bsd\/info\//)).toBe(1);
      const name = readdirSync(path.join(ws.dir, 'ws', 'esa')).find((n) => n.includes('0000000140'));
      expect(
        readFitsHeader(path.join(ws.dir, 'ws', 'esa', name as string))
          .comments()
          .join(''),
      ).toContain("BSD request id: '140' reason: 'new request 140, spectroscopy, M-class, re-requested'");
    } finally {
      await archive.close();
    }
  });

  it('stix daily --config: makes the products once, then skips them', () => {
    const dir = path.join(base, 'daily');
    writeL1DailyFixture(path.join(dir, 'ws', 'fits', 'L1', '2022', '02', '23', 'HK'), 'hk');
    writeL1DailyFixture(path.join(dir, 'ws', 'fits', 'L1', '2022', '02', '23', 'QL'), 'ql');
    writeFileSync(
      path.join(dir, 'stix.yaml'),
      JSON.stringify({ root: 'ws', options: { daily: { day: '2022-02-23' } } }),
    );
    const run = (): ReturnType<typeof spawnSync> =>
      spawnSync(process.execPath, [CLI, 'stix', 'daily', '--config', path.join(dir, 'stix.yaml')], {
        encoding: 'utf8',
      });
    const first = run();
    expect(first.status).toBe(0);
    expect(String(first.stderr)).toMatch(/stix daily: 2 made, 0 skipped, 0 failed/);
    expect(
      existsSync(
        path.join(dir, 'ws', 'fits', 'LL', '2022', '02', '23', 'solo_LL03_stix-ql-lightcurve_20220223_V01C.svg'),
      ),
    ).toBe(true);
    expect(String(run().stderr)).toMatch(/stix daily: 0 made, 2 skipped, 0 failed/);
    expect(existsSync(path.join(dir, 'ws', 'processed.sqlite'))).toBe(true); // the workspace default, not ~/
    const bad = spawnSync(process.execPath, [CLI, 'stix', 'daily', '-i', dir, '--bogus'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
  });
});

describe('stagebook stix publish: SIGKILL at random points', () => {
  it('a killed batch, rerun, neither loses nor duplicates a file; history and target consistent', () => {
    const ref = workspace('reference');
    const clean = cli(['--config', ref.config]);
    expect(clean.code).toBe(1);
    const total = Number(/\((\d+) file operations\)/.exec(clean.stderr)?.[1]);
    expect(total).toBeGreaterThan(10);
    const expected = outcome(ref.dir);
    const rnd = seededRandom(16);
    const points = new Set<number>([1, total]);
    while (points.size < 6) points.add(1 + Math.floor(rnd.uniform() * total));
    for (const k of [...points].sort((a, b) => a - b)) {
      const ws = workspace(`kill-${k}`);
      const killed = cli(['--config', ws.config], { STAGEBOOK_STIX_PUBLISH_KILL_AT: String(k) });
      expect(killed.signal, `kill at ${k}`).toBe('SIGKILL');
      const rerun = cli(['--config', ws.config]);
      // 1 while the rerun itself meets a max-supplement file, 0 when the killed run had recorded them
      expect([0, 1], `rerun after kill at ${k}: ${rerun.stderr}`).toContain(rerun.code);
      expect(outcome(ws.dir), `kill at ${k}`).toEqual(expected);
      // every copy holds the data of its source (no half-written or mixed file)
      for (const n of (expected.target as string[]).filter((x) => !x.includes('-sup'))) {
        const src = ref.files.map((f) => path.basename(f)).includes(n) ? n : undefined;
        if (src)
          expect(hduDataIdentical(path.join(ws.dir, 'ws', 'esa', n), path.join(ref.dir, 'ws', 'esa', n), 'DATA')).toBe(
            true,
          );
      }
    }
    cpSync(path.join(ref.dir, 'ws', 'summary.json'), path.join(base, 'last-summary.json'));
  });
});
