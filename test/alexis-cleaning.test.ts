/**
 * Stage 2 cleaning rules, each on a simulated frame made to trigger it (ALEXIS QUALITY codes):
 * AIA 0 / header QUALITY passed through / 9 NaN pointing / 8 not full disk / 4 negative-dominated /
 * 7 no effective area; SXI 0 / 1 filter / 2 no border / 3 off-centre / 5 bad readout / 6 not FL /
 * 10 truncated. Also the registration (north up, centred, 0.6"/px-equivalent) and the no-peak row.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  cleanAia,
  cleanSxi,
  epsPixels,
  findSolarBorder,
  readDegradationTable,
  readEffectiveAreaTable,
  singleImagePeakfinder,
} from '../kernel-lib/src/pipelines/alexis';
import {
  AIA_BAD_HEADER_QUALITY,
  aiaFrameIndexNear,
  makeSolarScene,
  neutralCalibrationCsv,
  renderAiaFrame,
  renderSxiFrame,
  sxiPointing,
  writeAiaFits,
  writeSxiFits,
  type AiaDefect,
  type SxiDefect,
} from '../kernel-lib/src/testing/solar';

const dir = mkdtempSync(join(tmpdir(), 'sb-clean-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const scene = makeSolarScene({ seed: 3 });
const csv = neutralCalibrationCsv();
writeFileSync(join(dir, 'deg.csv'), csv.degradation);
writeFileSync(join(dir, 'area.csv'), csv.effectiveArea);
writeFileSync(join(dir, 'area-no171.csv'), csv.effectiveArea.replace(/^171,.*\n/m, ''));
const deg = readDegradationTable(join(dir, 'deg.csv'));
const area = readEffectiveAreaTable(join(dir, 'area.csv'));
const flare = scene.flares[2];

function aiaFile(defect: AiaDefect, channel: '171' | '94' = '171', scale = 128): string {
  const f = join(dir, `aia-${defect}-${channel}-${scale}.fits`);
  writeAiaFits(f, renderAiaFrame(scene, channel, aiaFrameIndexNear(scene, channel, flare.peakMs), { scale, defect }));
  return f;
}
function sxiFile(defect: SxiDefect, filter = 'PTHK'): string {
  const f = join(dir, `sxi-${defect}-${filter}.fts`);
  const minute = Math.round((flare.peakMs - scene.dayStartMs) / 60_000);
  writeSxiFits(f, renderSxiFrame(scene, 15, minute, { defect, filter }));
  return f;
}

describe('AIA cleaning (QUALITY codes)', () => {
  it('0: registered north up and centred at 0.6"/px-equivalent, flux > 0, the flare where it was injected', () => {
    const r = cleanAia(aiaFile('none', '171', 256), deg, area);
    expect(r).toMatchObject({ QUALITY: 0, data_level: 'lev2', instrument: 'AIA', telescope: 'SDO', wavelength: '171' });
    const img = r.image!;
    expect(img.cdelt1).toBeCloseTo(9.6, 10);
    expect(img.crpix1).toBe(128.5);
    const rows = singleImagePeakfinder(img, epsPixels('AIA', img.cdelt1));
    const d = Math.min(...rows.map((p) => Math.hypot(p.dbscan_1_x_hpc - flare.x, p.dbscan_1_y_hpc - flare.y)));
    expect(d).toBeLessThan(50);
    // ALEXIS's (x - CRPIX1) * CDELT1 with a 0-based x and a 1-based CRPIX is one pixel short; corrected, it is sub-pixel.
    const exact = Math.min(
      ...rows.map((p) => Math.hypot(p.dbscan_1_x_hpc + img.cdelt1 - flare.x, p.dbscan_1_y_hpc + img.cdelt2 - flare.y)),
    );
    expect(exact).toBeLessThan(img.cdelt1);
  });
  it('passes a non-zero header QUALITY through (lev0, NaN image values)', () => {
    expect(cleanAia(aiaFile('header-quality'), deg, area)).toMatchObject({
      QUALITY: AIA_BAD_HEADER_QUALITY,
      data_level: 'lev0',
      img_flux: NaN,
    });
  });
  it('9: NaN spacecraft pointing', () =>
    expect(cleanAia(aiaFile('nan-pointing'), deg, area)).toMatchObject({ QUALITY: 9, data_level: 'lev0' }));
  it('8: not a full-disk image', () =>
    expect(cleanAia(aiaFile('not-full-disk'), deg, area)).toMatchObject({ QUALITY: 8, data_level: 'lev0' }));
  it('4: negative-dominated image', () => {
    const r = cleanAia(aiaFile('negative'), deg, area);
    expect(r).toMatchObject({ QUALITY: 4, data_level: 'lev0' });
    expect(r.img_flux).toBeLessThan(0);
  });
  it('7: no effective area for the channel', () => {
    expect(cleanAia(aiaFile('none'), deg, readEffectiveAreaTable(join(dir, 'area-no171.csv')))).toMatchObject({
      QUALITY: 7,
    });
  });
  it('names the file, line and field of a bad calibration table', () => {
    writeFileSync(join(dir, 'bad.csv'), 'channel,time,factor\n171,2011-01-01T00:00:00,abc\n');
    expect(() => readDegradationTable(join(dir, 'bad.csv'))).toThrow(/bad\.csv:2: factor: "abc" is not a number/);
  });
});

describe('SXI cleaning (QUALITY codes)', () => {
  it('0: border found, cropped, rotated north up; the flare where it was injected', () => {
    const r = cleanSxi(sxiFile('none'), 'goes15');
    expect(r).toMatchObject({ QUALITY: 0, data_level: 'lev2', wavelength: 'PTHK', telescope: 'goes15' });
    const rows = singleImagePeakfinder(r.image!, epsPixels('SXI', r.image!.cdelt1));
    const d = Math.min(...rows.map((p) => Math.hypot(p.dbscan_1_x_hpc - flare.x, p.dbscan_1_y_hpc - flare.y)));
    expect(d).toBeLessThan(25);
  });
  it('finds the limb of the off-centre disc', () => {
    const f = renderSxiFrame(scene, 15, 100, { defect: 'none' });
    const b = findSolarBorder(f.data, 512, 580)!;
    const p = sxiPointing(15);
    expect(Math.abs(b.cx - (p.crpix1 - 1))).toBeLessThanOrEqual(1.5);
    expect(Math.abs(b.cy - (p.crpix2 - 1))).toBeLessThanOrEqual(1.5);
    expect(b.radius).toBeGreaterThanOrEqual(189);
  });
  it('1: a filter other than TM, PTHK, PTHNA', () =>
    expect(cleanSxi(sxiFile('none', 'BE12A'), 'goes15')).toMatchObject({ QUALITY: 1, data_level: 'lev1' }));
  it('2: no solar border', () => expect(cleanSxi(sxiFile('no-disc'), 'goes15')).toMatchObject({ QUALITY: 2 }));
  it('3: header centre more than 20 px from the disc', () =>
    expect(cleanSxi(sxiFile('off-centre'), 'goes15')).toMatchObject({ QUALITY: 3 }));
  it('5: bad CCD readout', () => expect(cleanSxi(sxiFile('bad-readout'), 'goes15')).toMatchObject({ QUALITY: 5 }));
  it('6: IMG_CODE is not FL', () => expect(cleanSxi(sxiFile('not-fl'), 'goes15')).toMatchObject({ QUALITY: 6 }));
  it('10: truncated file', () => expect(cleanSxi(sxiFile('truncated'), 'goes15')).toMatchObject({ QUALITY: 10 }));
});

describe('single-image peak finder', () => {
  it('an image without peaks gives one NaN row with peaks_found = false', () => {
    const rows = singleImagePeakfinder(
      { data: new Float64Array(64 * 64).fill(5), shape: [64, 64], crpix1: 32, crpix2: 32, cdelt1: 1, cdelt2: 1 },
      10,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].peaks_found).toBe(false);
    expect(rows[0].dbscan_1_x_hpc).toBeNaN();
  });
  it('clusters peaks within eps and converts centroids with (x - CRPIX1) * CDELT1', () => {
    const data = new Float64Array(100 * 100);
    data[20 * 100 + 30] = 10;
    data[22 * 100 + 33] = 9.5;
    data[80 * 100 + 70] = 9.8;
    const rows = singleImagePeakfinder({ data, shape: [100, 100], crpix1: 50, crpix2: 50, cdelt1: 2, cdelt2: 2 }, 5);
    expect(rows.map((r) => r.dbscan_1_num_members)).toEqual([2, 1]);
    expect(rows[0].dbscan_1_x_hpc).toBeCloseTo((31.5 - 50) * 2, 10);
    expect(rows[1].dbscan_1_y_hpc).toBeCloseTo((80 - 50) * 2, 10);
  });
});
