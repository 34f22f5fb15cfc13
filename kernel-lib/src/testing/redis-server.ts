/**
 * An ephemeral Redis for tests and benchmarks: Debian's `redis-server` on a free loopback port,
 * with its own temp directory, never a shared instance. Persistence is chosen per test: none
 * (`--save ''`, no AOF) or AOF with fsync on every write, so a SIGKILLed Redis restarted on the
 * same directory has every acknowledged job (the "Redis restarted mid-run" case).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { StagebookError } from '../errors/stagebook-error';

/** Options of an ephemeral Redis. */
export interface RedisServerOptions {
  /** AOF persistence (appendfsync always); default false (no persistence at all). */
  aof?: boolean;
  /** The redis-server binary (default /usr/bin/redis-server). */
  binary?: string;
  /** Password (requirepass), for tests of the password-from-environment path. */
  password?: string;
}

/** A running ephemeral Redis. */
export interface RedisServer {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  /** Stops it (SIGKILL when `hard`) and waits for the exit. */
  stop(hard?: boolean): Promise<void>;
  /** Starts it again on the same port and directory (after stop). */
  restart(): Promise<void>;
  /** Stops it and removes its directory. */
  dispose(): Promise<void>;
}

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

function launch(binary: string, args: string[]): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const onData = (d: Buffer): void => {
      out += d.toString();
      if (/Ready to accept connections/.test(out)) {
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve(child);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.resume();
    child.once('error', (e) =>
      reject(
        new StagebookError('E_DEPENDENCY', `startRedisServer: cannot run ${binary}: ${e.message}`, {
          where: 'startRedisServer',
        }),
      ),
    );
    child.once('exit', (code) =>
      reject(
        new StagebookError(
          'E_DEPENDENCY',
          `startRedisServer: ${binary} exited with ${code} before it was ready: ${out.slice(-400)}`,
          {
            where: 'startRedisServer',
          },
        ),
      ),
    );
  });
}

/** Starts a Redis on a free loopback port (retried if another process takes the port first). */
export async function startRedisServer(o: RedisServerOptions = {}): Promise<RedisServer> {
  const binary = o.binary ?? '/usr/bin/redis-server';
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-redis-'));
  let port = 0;
  let child: ChildProcess | undefined;
  const args = (): string[] => [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    o.aof ? 'yes' : 'no',
    '--appendfsync',
    'always',
    ...(o.password ? ['--requirepass', o.password] : []),
  ];
  for (let tries = 0; !child; tries++) {
    port = await freePort();
    try {
      child = await launch(binary, args());
    } catch (e) {
      if (tries >= 4) throw e;
    }
  }
  const stop = async (hard = false): Promise<void> => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    const gone = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    c.kill(hard ? 'SIGKILL' : 'SIGTERM');
    await gone;
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    stop,
    async restart() {
      await stop();
      child = await launch(binary, args());
    },
    async dispose() {
      await stop(true);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
