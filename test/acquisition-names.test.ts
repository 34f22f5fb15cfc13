// Hostile file names from an archive (issue 22 item 2): one boundary function refuses them before
// any request or file-system call, and names are escaped wherever they are logged.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Downloader } from '../kernel-lib/src/acquisition';
import {
  archiveNameProblem,
  escapeForLog,
  relativePathProblem,
  sanitizeSegment,
} from '../kernel-lib/src/acquisition/names';
import { LcoArchiveClient } from '../kernel-lib/src/archives';
import { resolveSecret } from '../kernel-lib/src/config/secrets';
import { HOSTILE_FILE_NAMES, startLocalArchive, type LocalArchive } from '../kernel-lib/src/local-archive';

const TOKEN = 'tok-names-5e6f7a8b9c0d';
let archive: LocalArchive;

beforeAll(async () => {
  archive = await startLocalArchive({ token: TOKEN, hostileNames: true, synthetic: { nights: 1, framesPerNight: 2 } });
});
afterAll(async () => archive.close());

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? [path.join(dir, e.name), ...walk(path.join(dir, e.name))] : [path.join(dir, e.name)],
  );
}

describe('the archive-name boundary', () => {
  it('refuses empty, ., .., separators, NUL, control, separator and bidi characters; accepts real names', () => {
    for (const bad of [
      '',
      '.',
      '..',
      './',
      'a/b.fits',
      'a\\b.fits',
      'x\0.fits',
      'x\n.fits',
      'x\r.fits',
      'x\u007f.fits',
      'x\u0085.fits',
      'x\u2028.fits',
      'rtl\u202Ezf.stif.fits',
      'x\u2066.fits',
      'x\u200f.fits',
      'a'.repeat(256),
    ]) {
      expect(archiveNameProblem(bad), JSON.stringify(bad)).toBeDefined();
    }
    for (const good of [
      'ogg2m001-en06-20250610-0001-e91.fits.fz',
      'cpt1m012-fa06-20250611-0042-e91.fits',
      'O\u00e9l-\u65e5\u672c.fits',
      '.hidden.fits',
    ]) {
      expect(archiveNameProblem(good), good).toBeUndefined();
    }
    expect(relativePathProblem('sub/ok.fits')).toBeUndefined();
    for (const bad of ['.', './', './x.fits', 'a//b', '../x', '/etc/passwd', 'C:\\x', 'sub/\u202Ex.fits'])
      expect(relativePathProblem(bad), bad).toBeDefined();
  });

  it('escapes names for log lines: no newline, NUL or bidi override survives', () => {
    expect(escapeForLog('line\nforged')).toBe('line\\nforged');
    expect(escapeForLog('nul\0byte')).toBe('nul\\0byte');
    expect(escapeForLog('rtl\u202Ezf.stif')).toBe('rtl\\u{202E}zf.stif');
    expect(escapeForLog('plain-name.fits.fz')).toBe('plain-name.fits.fz');
    expect(escapeForLog(escapeForLog('a\n\u202Eb'))).toBe(escapeForLog('a\n\u202Eb'));
  });

  it('sanitises labels used as directory names (targets), deterministically and without dot names', () => {
    expect(sanitizeSegment('OGLE-2025-BLG-0042')).toBe('OGLE-2025-BLG-0042');
    expect(sanitizeSegment('NGC 1234')).toBe('NGC_1234');
    for (const hostile of ['.', '..', './', 'a/b', 'x\0y', 'line\nforged', 'rtl\u202Eevil', '', '   ']) {
      const s = sanitizeSegment(hostile);
      expect(archiveNameProblem(s), JSON.stringify(hostile)).toBeUndefined();
      expect(s.startsWith('.')).toBe(false);
    }
  });
});

describe('downloader vs hostile archive names', () => {
  it('refuses every hostile name before any request; nothing appears outside (or inside) the data root', async () => {
    const ws = mkdtempSync(path.join(os.tmpdir(), 'sb-names-'));
    const dataRoot = path.join(ws, 'root', 'data');
    mkdirSync(dataRoot, { recursive: true });
    const client = new LcoArchiveClient({ url: archive.url, token: resolveSecret('T', { T: TOKEN }) });
    const records = await client.search({});
    const hostile = records.filter((r) => Number(r.id) >= 900_000);
    expect(hostile.map((r) => r.filename).sort()).toEqual([...HOSTILE_FILE_NAMES].sort());
    archive.requests.length = 0;
    const d = new Downloader({
      cacheDir: path.join(ws, 'root', 'cache'),
      dataRoot,
      policy: { retry: { baseDelayMs: 1, maxDelayMs: 5 } },
    });
    const result = await d.fetchAll(client.toDownloadItems(records));
    await d.close();
    expect(result.failed.map((f) => f.item.archiveName).sort()).toEqual([...HOSTILE_FILE_NAMES].sort());
    for (const f of result.failed) {
      expect(f.code).toBe('E_UNSAFE_NAME');
      expect(f.attempts).toBe(0);
      expect(f.message).not.toMatch(/[\n\0\u202E]/);
    }
    expect(archive.count(/^\/download\/9000\d\d\//)).toBe(0);
    expect(result.ok).toHaveLength(records.length - HOSTILE_FILE_NAMES.length);
    // `.` used to place a temporary hard link in the root's parent: the parent holds only what we made.
    expect(readdirSync(path.join(ws, 'root')).sort()).toEqual(['cache', 'data']);
    expect(readdirSync(ws)).toEqual(['root']);
    const placed = walk(dataRoot);
    expect(placed.every((p) => statSync(p).isFile())).toBe(true);
    expect(placed.map((p) => path.basename(p)).sort()).toEqual(result.ok.map((f) => f.item.archiveName).sort());
    expect(readFileSync(placed[0]).length).toBeGreaterThan(0);
  });
});
