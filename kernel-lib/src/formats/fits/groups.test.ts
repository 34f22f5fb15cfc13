/**
 * Random groups by the standard (FITS 4.0 section 6.1): physical array values are
 * BZERO + BSCALE * stored, parameters PZEROn + PSCALn * stored. astropy 5.2 drops BZERO on the
 * group arrays (test/fits-interop.test.ts compares everything else with astropy), so BZERO is
 * checked here against the standard's formula on a file built card by card.
 */
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openFits, readFits } from './file';
import { FitsHeader } from './header';

const dir = fs.mkdtempSync(join(tmpdir(), 'stagebook-groups-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function groupsFile(): string {
  const h = new FitsHeader()
    .set('SIMPLE', true)
    .set('BITPIX', 16)
    .set('NAXIS', 3)
    .set('NAXIS1', 0)
    .set('NAXIS2', 2)
    .set('NAXIS3', 1)
    .set('GROUPS', true)
    .set('PCOUNT', 2)
    .set('GCOUNT', 3)
    .set('PTYPE1', 'UU')
    .set('PSCAL1', 0.5)
    .set('PTYPE2', 'UU')
    .set('PZERO2', 100)
    .set('BSCALE', 0.25)
    .set('BZERO', -3);
  const data = Buffer.alloc(2880);
  // Group g: parameters (g, 10 * g), array (g - 5, 2 * g).
  for (let g = 0; g < 3; g++) [g, 10 * g, g - 5, 2 * g].forEach((v, k) => data.writeInt16BE(v, (g * 4 + k) * 2));
  const file = join(dir, 'groups.fits');
  fs.writeFileSync(file, Buffer.concat([h.toBytes(), data]));
  return file;
}

describe('random groups (issue 22 item 16)', () => {
  it('reads parameters and arrays with PSCAL/PZERO and BSCALE/BZERO applied, repeated names summed', () => {
    const hdu = openFits(groupsFile()).hdu(0);
    expect(hdu.kind).toBe('groups');
    const g = hdu.readGroups();
    expect(g.shape).toEqual([3, 1, 2]);
    expect(g.parameters.map((p) => [p.name, Array.from(p.values as Float64Array)])).toEqual([
      ['UU', [0, 0.5, 1]],
      ['UU', [100, 110, 120]],
    ]);
    expect(Array.from(g.byName.UU as Float64Array)).toEqual([100, 110.5, 121]);
    expect(Array.from(g.data as Float64Array)).toEqual([
      -5 * 0.25 - 3,
      -3,
      -4 * 0.25 - 3,
      2 * 0.25 - 3,
      -3 * 0.25 - 3,
      4 * 0.25 - 3,
    ]);
  });

  it('readImage on groups says what the HDU is instead of reading garbage', () => {
    expect(() => openFits(groupsFile()).hdu(0).readImage()).toThrow(/groups, not an image/);
    expect(readFits(groupsFile())[0].groups?.count).toBe(3);
  });
});
