/**
 * Starts the tslab kernel as `node <tslab>/bin/tslab kernel --config-path <file>` and owns its pid.
 * Why not the `tslab` command or npx: wrappers leave the kernel alive when they are killed
 * (shared/notes/platform.md, "tslab 1.0.22"), so we spawn node directly and kill exactly that pid.
 * The connection file follows jupyter_client's format (transport, ip, five ports, HMAC-SHA256 key).
 *
 * The kernel dies with its runner, whatever kills the runner (issue 11 item 9: a SIGKILLed runner
 * left tslab re-parented to PID 1, busy and holding a pipeline lease, with its HMAC key in /tmp):
 * the kernel gets the read end of a pipe as fd 3, and a preloaded watch (`node -r`) blocks on it in
 * a worker thread. The runner never writes; when it dies the OS closes the write end, the read
 * returns EOF, and the watch removes the connection directory and SIGKILLs its own process, even
 * while a cell keeps the kernel's JS thread busy. The connection file is 0600 in a 0700 directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { StagebookError } from '../errors/stagebook-error';

export interface ConnectionInfo {
  transport: 'tcp';
  ip: string;
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
  signature_scheme: 'hmac-sha256';
  key: string;
  kernel_name?: string;
}

export interface LaunchOptions {
  /** Working directory of the kernel: tslab resolves `tslab` and `stagebook` from here (the notebook's directory). */
  cwd: string;
  /** Path of tslab's bin script; default: resolved from `cwd`, then from this package. */
  tslabBin?: string;
  /** Extra environment variables for the kernel. */
  env?: Record<string, string>;
  /** Called with each chunk the kernel writes to its own stdout/stderr (outside Jupyter messages). */
  onLog?: (text: string) => void;
  /** Called with each report of the kernel preload (fd 3 JSON lines, e.g. unhandled rejections). */
  onReport?: (report: KernelReport) => void;
  /** Chooses the five loopback ports (shell, iopub, stdin, control, hb); default `freePorts(5)`. */
  ports?: () => Promise<number[]>;
}

/**
 * The kernel's exit code when one of its ports was taken before it could bind (EADDRINUSE). The
 * ports are free when chosen, but tslab binds only after loading TypeScript, seconds later, and
 * meanwhile any process may take one (an outgoing connection's ephemeral port). tslab does not
 * await its binds, so the failure is an unhandled rejection; the preload turns it into this exit
 * (instead of a kernel that never answers), and the runner starts a kernel on fresh ports.
 */
export const KERNEL_PORT_IN_USE_EXIT = 98;

/**
 * A report from the kernel preload: an unhandled rejection and the execution (1-based) that started
 * it. `transport_rejection`: one of tslab's own zeromq sends was rejected (it published while its
 * socket was still binding); not the user's code, so it is recorded as an event, not a cell failure.
 */
export interface KernelReport {
  /** `port_in_use`: a port was taken before the kernel could bind it; the kernel exits (KERNEL_PORT_IN_USE_EXIT). */
  type: 'unhandled_rejection' | 'transport_rejection' | 'port_in_use';
  /** Ordinal of the execute request whose code created the rejected promise (null: not from a cell). */
  execution: number | null;
  /** Ordinal of the latest execute request when it fired. */
  current: number;
  message: string;
}

/** A started kernel process: connection info, pid, exit notification and kill. */
export interface LaunchedKernel {
  readonly connection: ConnectionInfo;
  readonly pid: number;
  readonly tslabBin: string;
  /** Resolves when the process exits (code or signal). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** True once the process has exited. */
  isDead(): boolean;
  /** Sends `signal` to the kernel pid (SIGINT interrupts the running cell in tslab). */
  signal(signal: NodeJS.Signals): void;
  /** Kills the kernel by pid (SIGKILL after `graceMs` of SIGTERM) and removes the connection file. */
  kill(graceMs?: number): Promise<void>;
}

/** Pids of kernels this process started and has not seen exit (killed if the runner itself exits). */
const liveKernels = new Map<number, string>(); // pid -> connection-file directory
let exitHookInstalled = false;

/**
 * SIGKILLs every kernel this process started that is still alive (synchronous: safe in 'exit' and
 * signal handlers). Installed on process 'exit'; the CLI also calls it on SIGINT/SIGTERM, because a
 * terminal's Ctrl-C reaches the kernel too and tslab only interrupts the cell on SIGINT.
 */
export function killAllKernelsSync(): void {
  for (const [pid, dir] of liveKernels) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  }
  liveKernels.clear();
}

/** Returns `count` distinct free TCP ports on 127.0.0.1 (bound to port 0, then released). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const s = createServer();
          s.once('error', reject);
          s.listen(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  return ports;
}

/** A fresh connection description with random loopback ports and a random 256-bit key. */
export async function newConnectionInfo(ports: () => Promise<number[]> = () => freePorts(5)): Promise<ConnectionInfo> {
  const [shell, iopub, stdin, control, hb] = await ports();
  return {
    transport: 'tcp',
    ip: '127.0.0.1',
    shell_port: shell,
    iopub_port: iopub,
    stdin_port: stdin,
    control_port: control,
    hb_port: hb,
    signature_scheme: 'hmac-sha256',
    key: randomBytes(32).toString('hex'),
    kernel_name: 'tslab',
  };
}

/** Locates tslab's bin script, preferring the copy that resolves from the notebook directory. */
export function resolveTslabBin(fromDir: string): string {
  for (const base of [fromDir, __dirname]) {
    try {
      return path.join(path.dirname(require.resolve('tslab/package.json', { paths: [base] })), 'bin', 'tslab');
    } catch {
      // try the next base
    }
  }
  throw new StagebookError('E_KERNEL_START', `launchKernel: tslab: cannot resolve the tslab package from ${fromDir}`, {
    where: 'launchKernel',
    field: 'tslab',
    file: fromDir,
  });
}

/**
 * The parent-death watch, preloaded into the kernel. A worker thread reads fd 3 (the runner's pipe)
 * on its own event loop, so a CPU-bound cell on the main thread cannot delay it; EOF or an error
 * means the runner is gone. Written next to the connection file at launch, so it works from the
 * compiled package and from sources alike.
 */
const PARENT_WATCH = `'use strict';
const { Worker, isMainThread } = require('node:worker_threads');
const dir = process.env.STAGEBOOK_KERNEL_DIR;
delete process.env.STAGEBOOK_KERNEL_DIR;
// workers inherit execArgv (this --require): only the main thread starts the watch, and the watch
// itself gets no execArgv
if (isMainThread) new Worker(\`
const fs = require('node:fs');
const net = require('node:net');
const { workerData: dir } = require('node:worker_threads');
let gone = false;
const die = () => {
  if (gone) return;
  gone = true;
  try { if (dir) fs.rmSync(dir, { recursive: true, force: true }); } catch {}
  process.kill(process.pid, 'SIGKILL');
};
// An event-loop read of fd 3 on the worker's own loop (never a blocking read: a thread parked in
// read(2) kept process.exit from finishing and hung native addons such as resvg in the kernel).
const pipe = new net.Socket({ fd: 3, readable: true, writable: false });
pipe.on('data', () => {});
pipe.on('end', die);
pipe.on('close', die);
pipe.on('error', die);
\`, { eval: true, workerData: dir, execArgv: [] }).unref();

// Unhandled rejections, attributed to the cell whose code started them (issue 11 item 10): every
// tslab execute runs inside an AsyncLocalStorage context holding its ordinal, which timers and
// promises the cell creates inherit; Node runs 'unhandledRejection' in the rejecting context, so
// the store names the cell even when the rejection fires after it ended. Reported on fd 3 as a
// JSON line (tslab itself prints it into whatever cell runs at that moment, or nowhere).
if (isMainThread) {
  const Module = require('node:module');
  const fs = require('node:fs');
  const { AsyncLocalStorage } = require('node:async_hooks');
  const cells = new AsyncLocalStorage();
  let ordinal = 0;
  const load = Module._load;
  Module._load = function (request, parent, isMain) {
    const m = load.apply(this, arguments);
    if (request === './executor' && parent && /tslab[\\/]dist[\\/]/.test(parent.filename) && typeof m.createExecutor === 'function' && !m.createExecutor.stagebook) {
      const create = m.createExecutor;
      m.createExecutor = Object.assign(function () {
        const ex = create.apply(this, arguments);
        const execute = ex.execute;
        ex.execute = function (code) { const n = ++ordinal; return cells.run(n, () => execute.call(this, code)); };
        return ex;
      }, { stagebook: true });
    }
    return m;
  };
  // tslab's own zeromq sends (iopub output published while its socket is still binding) reject with
  // zeromq's errors: the kernel's transport, not the user's code, even inside a cell's context.
  const transport = /[\\\\/]zeromq[\\\\/]|^Error: Socket is (blocked by a bind or unbind operation|busy|closed)/;
  process.on('unhandledRejection', (reason) => {
    const cell = cells.getStore();
    const message = reason instanceof Error ? (reason.stack || String(reason)) : String(reason);
    // Before any cell ran only tslab's own code can fail: a bind of one of its ports.
    const portInUse = ordinal === 0 && /EADDRINUSE|Address already in use/.test(message);
    const type = portInUse ? 'port_in_use' : transport.test(message) ? 'transport_rejection' : 'unhandled_rejection';
    try { fs.writeSync(3, JSON.stringify({ type, execution: cell === undefined ? null : cell, current: ordinal, message }) + '\\n'); } catch {}
    if (portInUse) process.exit(${KERNEL_PORT_IN_USE_EXIT});
  });
}
`;

/** Writes a connection file (mode 0600, in a 0700 directory) and starts the kernel process. */
export async function launchKernel(options: LaunchOptions): Promise<LaunchedKernel> {
  const tslabBin = options.tslabBin ?? resolveTslabBin(options.cwd);
  const connection = await newConnectionInfo(options.ports);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stagebook-kernel-'));
  const connectionFile = path.join(dir, 'connection.json');
  writeFileSync(connectionFile, JSON.stringify(connection, null, 2), { mode: 0o600 });
  const watch = path.join(dir, 'parent-watch.js');
  writeFileSync(watch, PARENT_WATCH, { mode: 0o600 });
  const child = spawn(process.execPath, ['--require', watch, tslabBin, 'kernel', '--config-path', connectionFile], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env, STAGEBOOK_KERNEL_DIR: dir },
    // fd 3: the pipe whose closure (this process's death) ends the kernel
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  (child.stdio[3] as { unref?: () => void } | null)?.unref?.();
  if (child.pid === undefined) {
    rmSync(dir, { recursive: true, force: true });
    throw new StagebookError('E_KERNEL_START', `launchKernel: could not spawn ${process.execPath} ${tslabBin}`, {
      where: 'launchKernel',
      file: tslabBin,
    });
  }
  liveKernels.set(child.pid, dir);
  if (!exitHookInstalled) {
    process.once('exit', killAllKernelsSync);
    exitHookInstalled = true;
  }
  readReports(child, options.onReport);
  const forward = (b: Buffer): void => options.onLog?.(b.toString('utf8'));
  child.stdout?.on('data', forward);
  child.stderr?.on('data', forward);
  return wrapChild(child, child.pid, connection, tslabBin, dir);
}

/** Parses the JSON lines the preload writes to fd 3. */
function readReports(child: ChildProcess, onReport: LaunchOptions['onReport']): void {
  const pipe = child.stdio[3] as NodeJS.ReadableStream | null;
  if (!pipe || !onReport) return;
  let buffered = '';
  pipe.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      try {
        onReport(JSON.parse(line) as KernelReport);
      } catch {
        // not a report: ignore (the preload writes nothing else)
      }
    }
  });
  pipe.on('error', () => undefined);
}

function wrapChild(
  child: ChildProcess,
  pid: number,
  connection: ConnectionInfo,
  tslabBin: string,
  dir: string,
): LaunchedKernel {
  let dead = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      dead = true;
      liveKernels.delete(pid);
      resolve({ code, signal });
    });
    child.once('error', () => {
      dead = true;
      liveKernels.delete(pid);
      resolve({ code: null, signal: null });
    });
  });
  const sendSignal = (signal: NodeJS.Signals): void => {
    if (dead) return;
    try {
      process.kill(pid, signal);
    } catch {
      // ESRCH: already gone
    }
  };
  return {
    connection,
    pid,
    tslabBin,
    exited,
    isDead: () => dead,
    signal: sendSignal,
    async kill(graceMs = 1000): Promise<void> {
      sendSignal('SIGTERM');
      const timer = setTimeout(() => sendSignal('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
