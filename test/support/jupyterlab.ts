/**
 * Helpers of the end-to-end test: a real JupyterLab 4.6 front end (test/e2e/lab-host) served by
 * Debian's jupyter_server (test/e2e/lab-server), driven by playwright-core in Debian's chromium.
 * Everything waits on application state (app.restored, kernel status, cell execution counts), never
 * on fixed sleeps. Facts cited below: /work/shared/notes/jupyterlab-e2e.md and platform.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { BrowserContext, Page } from 'playwright-core';

export const REPO = path.resolve(__dirname, '..', '..');
export const SERVER_SCRIPT = path.join(REPO, 'test', 'e2e', 'lab-server', 'stagebook_lab_server.py');
export const HOST_DIR = path.join(REPO, 'test', 'e2e', 'lab-host');
export const HOST_BUILD = path.join(HOST_DIR, 'build');
/** Debian's python: a pyenv `python3` shadows it on PATH and lacks jupyter_server (platform.md). */
export const PYTHON = '/usr/bin/python3';
export const CHROMIUM = '/usr/bin/chromium';

/** A running server. `stop()` is idempotent. */
export interface LabServer {
  url: string;
  token: string;
  /** `${url}/lab?token=...`: the page that loads the application. */
  labUrl: string;
  /** Everything the server wrote to stderr so far (its log). */
  log(): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Server root: notebooks are opened by paths relative to it. */
  rootDir: string;
  /** `share/jupyter/labextensions` directories holding prebuilt extensions. */
  labextensionDirs?: string[];
  /** Plugin ids or extension package names to disable (page config `disabledExtensions`). */
  disabledExtensions?: string[];
  hostBuildDir?: string;
  timeoutMs?: number;
}

/** A free loopback port (the OS picks it; the tiny race with the server's bind is retried). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function exitPromise(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Kernels started by the server with pid `serverPid`. jupyter_client starts each kernel in a new
 * session (launcher.py: `start_new_session=True`), out of the server's process group, and marks it
 * with `JPY_PARENT_PID=<server pid>` in its environment.
 */
export function kernelsOf(serverPid: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const env = readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0');
      if (env.includes(`JPY_PARENT_PID=${serverPid}`)) pids.push(Number(entry));
    } catch {
      /* gone, or not ours */
    }
  }
  return pids;
}

/**
 * Stops the server: SIGTERM to its process group (jupyter_server then shuts its kernels down
 * itself), SIGKILL after `graceMs`; kernels still alive after that are killed by pid.
 */
async function killGroup(child: ChildProcess, graceMs = 10_000): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return; // never started
  if (child.exitCode === null && child.signalCode === null) {
    const exited = exitPromise(child);
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
    const timer = delay(graceMs).then(() => 'timeout' as const);
    if ((await Promise.race([exited, timer])) === 'timeout') {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        /* gone meanwhile */
      }
      await exited;
    }
  }
  // Normally none: the server shut them down on SIGTERM. Scanned after its exit, so only
  // processes it really started can carry its pid in JPY_PARENT_PID.
  for (const k of kernelsOf(pid)) {
    try {
      process.kill(k, 'SIGKILL');
    } catch {
      /* exited meanwhile */
    }
  }
}

/**
 * Starts stagebook_lab_server.py on a random free loopback port with a random token and a fresh
 * state directory; resolves when `/api/status` answers. Rejects with the server's stderr if it
 * exits or does not answer in time.
 */
export async function startJupyterLab(options: StartOptions): Promise<LabServer> {
  const hostBuild = options.hostBuildDir ?? HOST_BUILD;
  if (!existsSync(path.join(hostBuild, 'templates', 'index.html'))) {
    throw new Error(`startJupyterLab: no host build in ${hostBuild}: run node test/e2e/lab-host/build.js`);
  }
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(options, hostBuild, await freePort());
    } catch (e) {
      lastError = e as Error;
      // jupyter_server with port_retries=0: "could not be started because port N is not available"
      if (!/port \d+ is not available/.test(lastError.message)) throw lastError;
    }
  }
  throw lastError!;
}

async function startOnce(options: StartOptions, hostBuild: string, port: number): Promise<LabServer> {
  const token = randomBytes(16).toString('hex');
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'sb-lab-state-'));
  const args = [
    SERVER_SCRIPT,
    '--host-build',
    hostBuild,
    '--root-dir',
    options.rootDir,
    '--state-dir',
    stateDir,
    '--port',
    String(port),
    '--token',
    token,
    ...(options.labextensionDirs ?? []).flatMap((d) => ['--labextensions-dir', d]),
    ...(options.disabledExtensions ?? []).flatMap((id) => ['--disable-extension', id]),
  ];
  // detached: its own process group, so stop() signals the server and its helpers together.
  const child = spawn(PYTHON, args, {
    cwd: options.rootDir,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
  });
  let log = '';
  child.stdout!.on('data', (d) => {
    log += d;
  });
  child.stderr!.on('data', (d) => {
    log += d;
  });
  const url = `http://127.0.0.1:${port}`;
  const server: LabServer = {
    url,
    token,
    labUrl: `${url}/lab?token=${token}`,
    log: () => log,
    stop: async () => {
      await killGroup(child);
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let exitCode: number | null | undefined;
  void exitPromise(child).then((c) => {
    exitCode = c;
  });
  while (Date.now() < deadline) {
    if (exitCode !== undefined) break;
    try {
      const res = await fetch(`${url}/api/status`, { headers: { Authorization: `token ${token}` } });
      if (res.ok) return server;
    } catch {
      /* not listening yet */
    }
    await delay(100);
  }
  await server.stop();
  const why = exitCode !== undefined ? `exited with code ${exitCode}` : 'did not answer in time';
  throw new Error(`startJupyterLab: jupyter_server ${why}. Server output:\n${log.trim() || '(none)'}`);
}

/** A headless chromium with a fresh profile. `close()` ends the browser and removes the profile. */
export interface Chromium {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/**
 * playwright-core, from the e2e host's on-demand install (test/e2e/lab-host/install.js): only this test
 * drives a browser, so it is not in the default `npm ci` (issue 12, point 6). Loaded when first needed.
 */
function playwright(): typeof import('playwright-core') {
  try {
    return createRequire(path.join(HOST_DIR, 'package.json'))('playwright-core');
  } catch (e) {
    throw new Error(`playwright-core is not installed in ${HOST_DIR}: run node test/e2e/lab-host/install.js`, {
      cause: e,
    });
  }
}

/** Launches Debian's chromium (never a downloaded browser) with the flags of platform.md. */
export async function launchChromium(): Promise<Chromium> {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'sb-chromium-'));
  const context = await playwright().chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

// The page helpers (gotoLab, openNotebook, runAllCells, collectPageErrors, ...) live beside.
export * from './jupyterlab-page';
