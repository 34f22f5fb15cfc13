import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { atomicWriteFile, isTempName, sweepTempFiles, tempPathFor } from './atomic';
import { PathGuard } from './confine';
import { alexisFlareNaming, ensureWorkdir, listWorkdirs, normaliseFlareClass } from './naming';

const tmp = (): string => mkdtempSync(path.join(os.tmpdir(), 'sb-wd-'));

describe('workdirs: path confinement', () => {
  it('resolves paths inside the roots and refuses .. and absolute escapes', () => {
    const root = tmp();
    const g = new PathGuard([root]);
    expect(g.resolve('a/b.txt')).toBe(path.join(g.roots[0], 'a/b.txt'));
    expect(() => g.resolve('../x')).toThrow(expect.objectContaining({ code: 'E_PATH_ESCAPE' }));
    expect(() => g.resolve('a/../../x')).toThrow(expect.objectContaining({ code: 'E_PATH_ESCAPE' }));
    expect(() => g.resolve('/etc/passwd')).toThrow(expect.objectContaining({ code: 'E_PATH_ESCAPE' }));
    expect(g.relative(path.join(root, 'a/b.txt'))).toBe('a/b.txt');
  });

  it('refuses a symlink inside the root that points outside it', () => {
    const root = tmp();
    const outside = tmp();
    symlinkSync(outside, path.join(root, 'link'));
    const g = new PathGuard([root]);
    expect(() => g.resolve('link/file.txt')).toThrow(expect.objectContaining({ code: 'E_PATH_ESCAPE' }));
    expect(new PathGuard([root, outside]).contains('link/file.txt')).toBe(true);
  });
});

describe('workdirs: atomic writes', () => {
  it('writes through a temp name and sweeps temps of dead writers only', async () => {
    const dir = tmp();
    const final = path.join(dir, 'sub/out.json');
    await atomicWriteFile(final, '{"ok":true}');
    expect(readFileSync(final, 'utf8')).toBe('{"ok":true}');
    expect(readdirSync(path.dirname(final))).toEqual(['out.json']);
    const mine = tempPathFor(final);
    expect(isTempName(path.basename(mine))).toBe(true);
    writeFileSync(mine, 'partial');
    const dead = path.join(dir, 'sub/.out.json.sbtmp-999999999-abcd');
    writeFileSync(dead, 'partial');
    expect(sweepTempFiles(dir)).toEqual([dead]);
    expect(existsSync(mine)).toBe(true);
  });
});

describe('workdirs: ALEXIS naming', () => {
  it('formats and parses flare-candidate directories', () => {
    const key = { flareClass: 'C4', time: new Date(Date.UTC(2011, 1, 8, 21, 11, 0, 80)) };
    const name = alexisFlareNaming.format(key);
    expect(name).toBe('flarecandidate_C4.0_at_2011-02-08T21_11_00_08.working');
    expect(alexisFlareNaming.parse(name)).toEqual({ flareClass: 'C4.0', time: key.time });
    expect(normaliseFlareClass('m2.5')).toBe('M2.5');
    expect(() => alexisFlareNaming.parse('flare_C4.working')).toThrow(
      expect.objectContaining({ code: 'E_WORKDIR_NAME' }),
    );
  });

  it('creates working directories under a confined parent and lists them back', () => {
    const root = tmp();
    const g = new PathGuard([root]);
    const t = new Date(Date.UTC(2014, 9, 24, 21, 41, 0, 0));
    ensureWorkdir(g, 'flare_candidates', alexisFlareNaming, { flareClass: 'X3.1', time: t });
    mkdirSync(path.join(root, 'flare_candidates/not-a-workdir'));
    const found = listWorkdirs(g, 'flare_candidates', alexisFlareNaming);
    expect(found.map((f) => f.key)).toEqual([{ flareClass: 'X3.1', time: t }]);
    expect(() => ensureWorkdir(g, '../elsewhere', alexisFlareNaming, { flareClass: 'C1', time: t })).toThrow(
      expect.objectContaining({ code: 'E_PATH_ESCAPE' }),
    );
  });
});
