// Rejected frames stay rejected (issue 22 item 3): a frame that downloads intact but cannot be used
// ends in `unused/` only, on every run, although the downloader's hard links make the copy in
// `incoming/` and the one in `unused/` the same inode (rename(2) between them is a no-op).
import { existsSync, linkSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalArchive, type LocalArchive } from '../kernel-lib/src/local-archive';
import { lcoFrames, runLcoDataManagement } from '../kernel-lib/src/pipelines/lco';
import { moveFile } from '../kernel-lib/src/workdirs/move';
import { makeLcoWorkspace } from './support/lco-workspace';

const TOKEN = 'tok-rejected-1f2e3d4c5b6a';
const ENV = 'SB_LCO_REJECTED_TEST_TOKEN';
const UNUSABLE = ['garbage-0.fits.fz', 'notes-1.txt'];
let archive: LocalArchive;

beforeAll(async () => {
  process.env[ENV] = TOKEN;
  archive = await startLocalArchive({
    token: TOKEN,
    unusableFrames: true,
    synthetic: { nights: 1, framesPerNight: 2 },
  });
});
afterAll(async () => {
  delete process.env[ENV];
  await archive.close();
});

describe('moveFile', () => {
  it('moves a file onto another link of the same inode: only the destination remains', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-move-'));
    const cache = path.join(dir, 'cache');
    writeFileSync(cache, 'bytes');
    linkSync(cache, path.join(dir, 'incoming'));
    linkSync(cache, path.join(dir, 'unused'));
    await moveFile(path.join(dir, 'incoming'), path.join(dir, 'unused'));
    expect(existsSync(path.join(dir, 'incoming'))).toBe(false);
    expect(readFileSync(path.join(dir, 'unused'), 'utf8')).toBe('bytes');
    expect(statSync(cache).nlink).toBe(2);
  });
});

describe('LCO: rejected frames', () => {
  it('are in unused/ only, after the first run and after every rerun', async () => {
    const { ws, cfg } = makeLcoWorkspace({ url: archive.url, tokenEnv: ENV });
    const incoming = path.join(ws, 'incoming');
    for (let run = 1; run <= 3; run++) {
      const r = await runLcoDataManagement(cfg);
      const rejected = r.problems.filter((p) => UNUSABLE.some((n) => n.startsWith(`${p.basename}.`)));
      expect(rejected.map((p) => p.code).sort(), `run ${run}`).toEqual(['E_FITS_FORMAT', 'E_LCO_UNUSED']);
      expect(
        readdirSync(incoming).filter((n) => UNUSABLE.includes(n)),
        `run ${run}`,
      ).toEqual([]);
      expect(readdirSync(path.join(incoming, 'unused')).sort(), `run ${run}`).toEqual([...UNUSABLE].sort());
      // no half-decompressed leftovers either
      expect(
        readdirSync(incoming)
          .filter((n) => n.startsWith('.'))
          .sort(),
        `run ${run}`,
      ).toEqual(['.cache']);
    }
    const rows = lcoFrames(cfg).filter((x) => UNUSABLE.some((n) => n.startsWith(`${x.basename}.`)));
    expect(rows.map((x) => [x.state, path.relative(incoming, x.path as string)]).sort()).toEqual(
      UNUSABLE.map((n) => ['failed', `unused/${n}`]).sort(),
    );
  });
});
