import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readXpcsLegacyConfig } from './legacy-config';
import { writeXpcsLegacyConfig } from './legacy-config-write';

describe('writeXpcsLegacyConfig', () => {
  it('writes a config that readXpcsLegacyConfig and h5py read back', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'xpcs-cfg-')), 'sample.hdf');
    const dq = Int32Array.from({ length: 6 * 5 }, (_, i) => (i % 3) + (i > 0 ? 1 : 0));
    await writeXpcsLegacyConfig(file, {
      dqmap: dq,
      sqmap: dq,
      shape: [6, 5],
      delaysPerLevel: 4,
      dataBegin: 1,
      dataEnd: 200,
      inputFileLocal: 'sample.imm',
      detector: { exposurePeriod: 0.002 },
    });
    const c = await readXpcsLegacyConfig(file);
    expect(Array.from(c.dqmap.data)).toEqual(Array.from(dq));
    expect(c.dqmap.shape).toEqual([6, 5]);
    expect([c.delaysPerLevel, c.dataBegin, c.dataEnd, c.detector.exposurePeriod]).toEqual([4, 1, 200, 0.002]);
    expect(c.inputFileLocal).toBe('sample.imm');
    const py = spawnSync(
      '/usr/bin/python3',
      [
        '-c',
        `import h5py,sys;f=h5py.File(sys.argv[1]);print(f['/xpcs/dqmap'].shape, f['/xpcs/delays_per_level'].dtype, int(f['/xpcs/data_end_todo'][0,0]))`,
        file,
      ],
      { encoding: 'utf8' },
    );
    expect(py.status, py.stderr).toBe(0);
    expect(py.stdout.trim()).toBe('(6, 5) int64 200');
  });

  it('refuses a map whose length does not fit the shape', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'xpcs-cfg-')), 'bad.hdf');
    await expect(
      writeXpcsLegacyConfig(file, {
        dqmap: new Int32Array(5),
        sqmap: new Int32Array(6),
        shape: [2, 3],
        delaysPerLevel: 4,
        dataBegin: 1,
        dataEnd: 2,
        inputFileLocal: 'x',
      }),
    ).rejects.toMatchObject({ code: 'E_INVALID_SHAPE' });
  });
});
