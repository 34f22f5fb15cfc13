// `stagebook stix serve|status|monitor|process` as real child processes (kernel-lib/dist: build
// first): a service killed with SIGKILL in the middle of a TM file resumes after restart and loses
// nothing; the status client's flags; the stuck monitor mailing a local SMTP server; level ranges.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadStagebookConfig } from '../kernel-lib/src/config/schema';
import { Ledger } from '../kernel-lib/src/ledger/ledger';
import { readProduct } from '../kernel-lib/src/pipelines/stix/fits-product';
import { monitorStep, sendStuckAlert } from '../kernel-lib/src/pipelines/stix/monitor';
import { runStix } from '../kernel-lib/src/pipelines/stix/pipeline';
import { StixService } from '../kernel-lib/src/pipelines/stix/service';
import { queryStatus, startStatusServer } from '../kernel-lib/src/pipelines/stix/status';
import { tmLogPaths } from '../kernel-lib/src/pipelines/stix/tm-logs';
import {
  createStixWorkspace,
  deliverLikeRsync,
  simulateStixPackets,
  stixTmXml,
  tmFileName,
  writeTimeCorrelation,
} from '../kernel-lib/src/testing/stix';

const CLI = path.resolve(__dirname, '../kernel-lib/dist/cli/main.js');
const START = 770_000_000;
const base = mkdtempSync(path.join(tmpdir(), 'stix-cli-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(base, { recursive: true, force: true });
});

function cli(args: string[], input?: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'stix', ...args], { encoding: 'utf8', input });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The CLI without blocking this process (needed when the service it talks to runs in this process). */
function cliAsync(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, 'stix', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((resolve) => child.once('close', (code) => resolve({ code: code ?? -1, stdout, stderr })));
}

/** Starts `stix serve`; resolves with the child and its status port once the endpoint is up. */
function serve(config: string): Promise<{ child: ChildProcess; port: number; lines: string[] }> {
  const child = spawn(process.execPath, [CLI, 'stix', 'serve', '--config', config], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const lines: string[] = [];
  return new Promise((resolve, reject) => {
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (d: string) => {
      lines.push(...d.split('\n').filter(Boolean));
      const m = /status endpoint on 127\.0\.0\.1:(\d+)/.exec(d);
      if (m) resolve({ child, port: Number(m[1]), lines });
    });
    child.once('exit', (code) => reject(new Error(`stix serve exited ${code}: ${lines.join('\n')}`)));
  });
}

/** Resolves when a status query satisfies `ok` (each query is one event on the endpoint). */
async function until(port: number, command: string, ok: (answer: string) => boolean): Promise<string> {
  for (;;) {
    const a = await queryStatus(port, command, 60_000);
    if (ok(a)) return a;
    await new Promise((r) => setImmediate(r));
  }
}

function rowsByProduct(files: string[]): Record<string, number> {
  return Object.fromEntries(
    files
      .filter((f) => f.endsWith('.fits'))
      .map((f) => [path.basename(f), readProduct(f).tables.data[0].values.length]),
  );
}

describe('stagebook stix (child processes)', () => {
  const ws = createStixWorkspace(path.join(base, 'svc'), { lease: { timeoutMs: 1000, heartbeatMs: 200 } });
  writeTimeCorrelation(ws.tcDir, 'predicted', 1, START - 86_400, START + 4 * 86_400);
  // two days of telemetry: big enough that the kill lands inside the file
  const xml = stixTmXml(
    simulateStixPackets({
      startScet: START,
      durationS: 2 * 86_400,
      seed: 9,
      science: [{ scet: START + 7000, rid: 42, tcSeq: 7, samples: 300, packets: 5 }],
    }),
  );
  const name = tmFileName(new Date(Date.UTC(2024, 4, 27)), 'big');

  it('a service killed mid-file resumes after restart and loses nothing; status flags answer', async () => {
    const first = await serve(ws.config);
    deliverLikeRsync(ws.incoming, name, xml);
    await until(first.port, 'current', (a) => a.includes(name));
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    const logs = tmLogPaths(path.join(ws.root, 'logs', 'tm'), name);
    expect(existsSync(logs.log)).toBe(true);
    expect(existsSync(logs.out)).toBe(false);

    const second = await serve(ws.config);
    await until(second.port, 'last', (a) => a.includes(name));
    expect(existsSync(logs.out)).toBe(true);
    const products = readFileSync(logs.out, 'utf8').trim().split('\n');

    // the reference: the same TM processed once, undisturbed, in a fresh workspace
    const ref = createStixWorkspace(path.join(base, 'ref'));
    writeTimeCorrelation(ref.tcDir, 'predicted', 1, START - 86_400, START + 4 * 86_400);
    deliverLikeRsync(ref.incoming, name, xml);
    const r = await runStix(loadStagebookConfig(ref.config).config, {});
    expect(rowsByProduct(products)).toEqual(rowsByProduct(r.produced));

    const st = cli(['status', '-l', '-e', '-c', '-n', '-o', '-C', '-p', String(second.port)]);
    expect(st.code).toBe(0);
    const out = st.stdout.split('\n');
    expect(out[0]).toMatch(new RegExp(`^last: ${name.replace(/[.]/g, '\\.')} at .* succeeded`));
    expect(out[1]).toBe('error: none');
    expect(out[2]).toBe('current: idle');
    expect(out[3]).toBe('open files: 0');
    expect(out[4]).toBe('open files: 0'); // -o: fixed, asks `next`
    expect(JSON.parse(out.slice(5).join('\n')).incoming).toBe(ws.incoming);
    expect(cli(['status', '-n', '--config', ws.config]).stdout.trim()).toBe('open files: 0');
    second.child.kill('SIGTERM');
    expect(await new Promise((r) => second.child.once('exit', r))).toBe(0);
    const down = cli(['status', '-n', '-p', String(second.port)]);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/E_STIX_STATUS/);
  });

  it('process: level ranges, -b above -e refused, -o list, --clean needs --yes off a terminal', () => {
    expect(cli(['process', '--config', ws.config, '-b', 'L2', '-e', 'L0']).code).toBe(2);
    const outFile = path.join(base, 'out.txt');
    const r = cli([
      'process',
      '--config',
      ws.config,
      '-b',
      'L1',
      '-e',
      'L2',
      '--filter',
      '*ql-lightcurve*',
      '-o',
      outFile,
    ]);
    expect(r.stderr).toMatch(/succeeded/);
    expect(r.code).toBe(0);
    const listed = readFileSync(outFile, 'utf8')
      .trim()
      .split('\n')
      .map((f) => path.basename(f));
    expect(listed.some((n) => n.startsWith('solo_L1_stix-ql-lightcurve_'))).toBe(true);
    expect(listed.some((n) => n.startsWith('solo_L2_stix-ql-lightcurve_'))).toBe(true);
    expect(listed.some((n) => n.includes('hk-maxi'))).toBe(false);
    expect(cli(['process', '--config', ws.config, '-b', 'L0', '-e', 'L2', '--clean']).code).toBe(2);
  });
});

describe('stuck monitor', () => {
  it('decides stuck only with 9 non-decreasing samples, open > 0, over a day', () => {
    const t0 = Date.UTC(2024, 0, 1);
    const hist = (opens: number[], stepH: number) => ({
      last: opens.map((o, i) => ({ date: new Date(t0 + i * stepH * 3_600_000).toISOString(), open: o })),
    });
    const policy = { samples: 9, minSpanHours: 24 };
    const at = (i: number, h: number) => new Date(t0 + i * h * 3_600_000);
    expect(monitorStep(hist([1, 1, 2, 2, 3, 3, 3, 4], 3), { date: at(8, 3), open: 4 }, policy).stuck).toBe(true);
    expect(monitorStep(hist([1, 1, 2, 2, 3, 3, 3], 3), { date: at(7, 3), open: 4 }, policy).stuck).toBe(false);
    expect(monitorStep(hist([1, 1, 2, 2, 3, 1, 3, 4], 3), { date: at(8, 3), open: 4 }, policy).stuck).toBe(false);
    expect(monitorStep(hist([1, 1, 2, 2, 3, 3, 3, 4], 2), { date: at(8, 2), open: 4 }, policy).stuck).toBe(false);
    expect(monitorStep(hist([0, 0, 0, 0, 0, 0, 0, 0], 3), { date: at(8, 3), open: 0 }, policy).stuck).toBe(false);
    const long = monitorStep(hist([1, 1, 1, 1, 1, 1, 1, 1, 1, 1], 3), { date: at(10, 3), open: 1 }, policy);
    expect(long.status.last.length).toBe(9);
  });

  it('the alert command gets the message on stdin; a failing command is E_STIX_MAIL', async () => {
    const out = path.join(base, 'alert.txt');
    const policy = { samples: 9, minSpanHours: 24 };
    const sent = await sendStuckAlert(
      { ...policy, command: ['sh', '-c', `cat > ${out}`] },
      'STIX pipeline stuck',
      'open files never dropped',
    );
    expect(sent).toEqual(['command sh']);
    expect(readFileSync(out, 'utf8')).toBe('STIX pipeline stuck\n\nopen files never dropped\n');
    await expect(sendStuckAlert({ ...policy, command: ['sh', '-c', 'exit 3'] }, 's', 't')).rejects.toMatchObject({
      code: 'E_STIX_MAIL',
    });
  });

  it('a really stuck service (its worker waiting on a held lease) is declared stuck and mailed', async () => {
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
        stream.on('data', (c: Buffer) => {
          text += c.toString();
        });
        stream.on('end', () => {
          mails.push(text);
          cb();
        });
      },
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
    const smtpPort = smtp.server.address().port;
    const ws = createStixWorkspace(path.join(base, 'stuck'), {
      monitor: { mail: { host: '127.0.0.1', port: smtpPort, from: 'stix@localhost', to: ['ops@localhost'] } },
    });
    writeTimeCorrelation(ws.tcDir, 'predicted', 1, START - 86_400, START + 2 * 86_400);
    const { config } = loadStagebookConfig(ws.config);
    // another live run holds the pipeline's lease: the service's worker waits for it forever
    const ledger = Ledger.open(config.ledger);
    const lease = ledger.createRun({
      pipeline: 'stix',
      scope: `stix@${config.root}`,
      options: {},
      configFile: ws.config,
      leaseMs: 3_600_000,
    });
    const service = new StixService(config);
    const srv = await startStatusServer(service, 0);
    await service.start();
    const files = [1, 2, 3].map(
      (h) =>
        deliverLikeRsync(
          ws.incoming,
          tmFileName(new Date(Date.UTC(2024, 4, 26, h)), `s${h}`),
          stixTmXml(simulateStixPackets({ startScet: START + h * 600, durationS: 300 })),
        ).final,
    );
    await until(srv.port, 'next', (a) => a.startsWith('open files: 3'));
    const statusFile = path.join(base, 'monitor_status.json');
    const now = Date.now();
    writeFileSync(
      statusFile,
      JSON.stringify({
        last: [1, 1, 2, 2, 2, 3, 3, 3].map((o, i) => ({
          date: new Date(now - (8 - i) * 3 * 3_600_000).toISOString(),
          open: o,
        })),
      }),
    );
    const r = await cliAsync(['monitor', '-s', statusFile, '--config', ws.config, '-p', String(srv.port)]);
    expect(r.stdout).toMatch(/open files: 3; STUCK: open files never dropped/);
    expect(r.stdout).toMatch(/alert sent: mail to ops@localhost/);
    expect(r.code).toBe(1);
    expect(mails.length).toBe(1);
    expect(mails[0]).toMatch(/Subject: STIX pipeline stuck/);
    expect(JSON.parse(readFileSync(statusFile, 'utf8')).last.length).toBe(9);
    ledger.finishRun(lease, 'failed');
    ledger.close();
    await until(srv.port, 'last', (a) => a.includes(path.basename(files[2])));
    await service.stop();
    await new Promise<void>((r2) => srv.server.close(() => r2()));
    await new Promise<void>((r2) => smtp.close(() => r2()));
  });
});
