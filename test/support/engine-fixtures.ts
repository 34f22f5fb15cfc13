/** Shared helpers of the engine tests: temp workspaces and CLI spawning (the linked `stagebook` bin). */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stagebookBin } from './stagebook-bin';

export const DIST = path.resolve(__dirname, '../../kernel-lib/dist');
/** The bin's own script (`node CLI ...` where a test needs node flags or a pty wrapper). */
export const CLI = path.resolve(__dirname, '../../kernel-lib/bin/stagebook.js');

/** A temp dir with ws/incoming/<name>.txt files and a config.yaml (extra YAML appended). */
export function makeWorkspace(
  texts: Record<string, string>,
  extraYaml = '',
): { dir: string; config: string; ws: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-engine-'));
  const ws = path.join(dir, 'ws');
  mkdirSync(path.join(ws, 'incoming'), { recursive: true });
  for (const [name, text] of Object.entries(texts)) writeFileSync(path.join(ws, 'incoming', `${name}.txt`), text);
  const config = path.join(dir, 'config.yaml');
  writeFileSync(config, `root: ws\ninputs:\n  pattern: "*.txt"\n${extraYaml}`);
  return { dir, config, ws };
}

/** Runs `stagebook ARGS` synchronously, through the bin as the README shows it. */
export function cli(args: string[], cwd: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(stagebookBin(), args, { cwd, encoding: 'utf8', env: { ...process.env, CI: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts `stagebook ARGS` in the background (the child's pid is node's: the shebang execs it). */
export function cliAsync(args: string[], cwd: string): ChildProcess {
  return spawn(stagebookBin(), args, { cwd, env: { ...process.env, CI: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Resolves when `pred()` holds (polling), rejects after `timeoutMs`. */
export async function waitFor(pred: () => boolean, timeoutMs = 20_000, everyMs = 50): Promise<void> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > timeoutMs) throw new Error('waitFor: timed out');
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Resolves with the exit code of a child. */
export function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}
