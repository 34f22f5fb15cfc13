/**
 * Placing a published copy (STIXCore `copy_file`: `shutil.copy` locally or `scp.put` to the target
 * host). Here every placement is atomic: the copy is written under a dot-name in the destination
 * folder and renamed (remotely: `scp` to the dot-name, then `ssh HOST mv`), so SOAR's pickup never
 * sees half a file and a crash leaves at most a stray dot-file, never a wrong final file.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, fsyncSync, mkdirSync, mkdtempSync, openSync, closeSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StagebookError } from '../../../errors/stagebook-error';
import { rewritePrimaryHeader, type FitsHeader } from '../../../formats/fits';

/** Where copies go. */
export interface PublishTarget {
  dir: string;
  /** 'localhost' = local folder. */
  host: string;
  scpCommand: readonly string[];
  sshCommand: readonly string[];
}

/** Writes `src` (FITS: with its primary header edited; other files byte for byte) to `dest` atomically. */
export function writeLocalCopy(src: string, dest: string, edit?: (h: FitsHeader) => void): void {
  mkdirSync(path.dirname(dest), { recursive: true });
  if (edit) return rewritePrimaryHeader(src, dest, edit);
  const tmp = path.join(path.dirname(dest), `.${path.basename(dest)}.${process.pid}.copy.tmp`);
  try {
    copyFileSync(src, tmp);
    const fd = openSync(tmp, 'r+');
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, dest);
  } catch (cause) {
    rmSync(tmp, { force: true });
    throw new StagebookError(
      'E_STIX_PUBLISH_TARGET',
      `copy ${src} to ${dest} failed: ${(cause as Error).message}`,
      { where: 'writeLocalCopy', file: dest },
      { cause },
    );
  }
}

function run(cmd: readonly string[], args: string[], what: string): void {
  const r = spawnSync(cmd[0], [...cmd.slice(1), ...args], { encoding: 'utf8' });
  if (r.error || r.status !== 0)
    throw new StagebookError(
      'E_STIX_PUBLISH_TARGET',
      `${what}: ${cmd[0]} ${r.error ? r.error.message : `exited ${r.status}: ${String(r.stderr).trim()}`}`,
      { where: 'placeCopy' },
    );
}

/** Single-quotes a path for the remote shell. */
function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Places the copy of `src` named `name` in the target; returns where it went. */
export function placeCopy(t: PublishTarget, src: string, name: string, edit?: (h: FitsHeader) => void): string {
  if (t.host === 'localhost') {
    const dest = path.join(t.dir, name);
    writeLocalCopy(src, dest, edit);
    return dest;
  }
  const stage = mkdtempSync(path.join(os.tmpdir(), 'sb-publish-'));
  try {
    const local = path.join(stage, name);
    writeLocalCopy(src, local, edit);
    const remoteTmp = path.posix.join(t.dir, `.${name}.part`);
    const remote = path.posix.join(t.dir, name);
    run(t.scpCommand, [local, `${t.host}:${remoteTmp}`], `scp ${name} to ${t.host}`);
    run(t.sshCommand, [t.host, `mv -f ${shq(remoteTmp)} ${shq(remote)}`], `ssh ${t.host} mv ${name}`);
    return `${t.host}:${remote}`;
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}
