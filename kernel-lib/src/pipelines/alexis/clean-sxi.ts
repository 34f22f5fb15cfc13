/**
 * SXI cleaning as ALEXIS's `clean_img_data_02.clean_sxi_data` and `sxi_module` do it, with its
 * QUALITY codes:
 *   unreadable / truncated file -> 10;  WAVELNTH not TM, PTHK or PTHNA -> 1;  IMG_CODE != 'FL' -> 6
 *   no solar border -> 2;  header CRPIX more than 20 px from the found centre -> 3
 *   crop: raw[1:511, 1:579], pad 100 px, cut 512x512 around (cx + 100, cy + 100) (ALEXIS's
 *     one-pixel shift from the removed border is kept), borders found again on the crop
 *   BAD_CCD_READOUT: std of crop[:, 490:] > 700 -> 5;  otherwise 0 (lev2)
 * For the peak finder the crop is rotated by -CROTA1 about the disc centre (north up; bicubic
 * here, skimage `rotate`'s default bilinear in ALEXIS) and divided by EXPTIME.
 */
import { openFits } from '../../formats/fits/file';
import { warpAffine } from '../../numeric/resample/warp';
import type { CleanResult } from './clean-types';
import { findSolarBorder } from './solar-border';

export const SXI_FILTERS_KEPT = ['TM', 'PTHK', 'PTHNA'];

function stats(d: ArrayLike<number>): { max: number; min: number; sum: number } {
  let max = -Infinity;
  let min = Infinity;
  let sum = 0;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (v > max) max = v;
    if (v < min) min = v;
    sum += v;
  }
  return { max, min, sum };
}

function std(values: number[]): number {
  const m = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, b) => a + (b - m) ** 2, 0) / values.length);
}

/** Cleans one SXI file (primary HDU). `telescope` is `goes13..15` from the catalogue. */
export function cleanSxi(file: string, telescope: string): CleanResult {
  let hdr;
  let raw: ArrayLike<number>;
  let shape: number[];
  try {
    const hdu = openFits(file).hdu(0);
    hdr = hdu.header;
    const img = hdu.readImage();
    raw = img.data as ArrayLike<number>;
    shape = img.shape;
  } catch {
    // ALEXIS: "buffer is too small for requested array" -> QUALITY 10.
    return {
      instrument: 'SXI',
      telescope,
      wavelength: 'unknown',
      QUALITY: 10,
      data_level: 'lev1',
      exp_time: NaN,
      img_data_max: NaN,
      img_data_min: NaN,
      img_flux: NaN,
    };
  }
  const wavelength = String(hdr.get('WAVELNTH'));
  const exptime = Number(hdr.get('EXPTIME'));
  const s = stats(raw);
  const base = {
    instrument: 'SXI',
    telescope,
    wavelength,
    exp_time: exptime,
    img_data_max: s.max,
    img_data_min: s.min,
  };
  const lev1 = (code: number, flux = s.sum): CleanResult => ({
    ...base,
    QUALITY: code,
    data_level: 'lev1',
    img_flux: flux,
  });
  if (!SXI_FILTERS_KEPT.includes(wavelength)) return lev1(1);
  if (hdr.get('IMG_CODE') !== 'FL') return lev1(6);
  const [rows, cols] = shape as [number, number];
  const border = findSolarBorder(raw, rows, cols);
  if (!border) return lev1(2);
  const crpix1 = Number(hdr.get('CRPIX1'));
  const crpix2 = Number(hdr.get('CRPIX2'));
  // sxi_module.test_if_sun_borders_ok: header CRPIX within +-20 px of the found centre.
  if (!(Math.abs(crpix1 - border.cx) <= 20 && Math.abs(crpix2 - border.cy) <= 20)) return lev1(3);
  const crop = new Float64Array(512 * 512);
  // no_border = raw[1:511, 1:579]; padded = pad(no_border, 100); crop = padded[cy+100-256 : cy+100+256, cx+100-256 : ...]
  for (let r = 0; r < 512; r++) {
    for (let c = 0; c < 512; c++) {
      const pr = border.cy + 100 - 256 + r;
      const pc = border.cx + 100 - 256 + c;
      const nr = pr - 100;
      const nc = pc - 100;
      const inside = nr >= 0 && nr < Math.min(510, rows - 2) && nc >= 0 && nc < Math.min(578, cols - 2);
      crop[r * 512 + c] = inside ? raw[(nr + 1) * cols + (nc + 1)] : 0;
    }
  }
  const again = findSolarBorder(crop, 512, 512);
  if (!again) return lev1(2);
  const edge: number[] = [];
  for (let r = 0; r < 512; r++) for (let c = 490; c < 512; c++) edge.push(crop[r * 512 + c]);
  const cropSum = stats(crop).sum;
  if (std(edge) > 700) return lev1(5, cropSum);
  // North up: rotate by -CROTA1 about the disc centre, then DN -> DN/s.
  const th = (Number(hdr.get('CROTA1')) * Math.PI) / 180;
  const cx = again.cx;
  const cy = again.cy;
  const co = Math.cos(th);
  const si = Math.sin(th);
  const inverse = [co, si, cx - co * cx - si * cy, -si, co, cy + si * cx - co * cy];
  const rotated = warpAffine({ data: crop, shape: [512, 512] }, { inverse, cval: 0 });
  for (let i = 0; i < rotated.length; i++) rotated[i] /= exptime;
  return {
    ...base,
    QUALITY: 0,
    data_level: 'lev2',
    img_flux: cropSum,
    // ALEXIS stores the found (0-based) centre as CRPIX and converts 0-based peaks with it: no offset.
    image: {
      data: rotated,
      shape: [512, 512],
      crpix1: cx,
      crpix2: cy,
      cdelt1: Number(hdr.get('CDELT1')),
      cdelt2: Number(hdr.get('CDELT2')),
    },
  };
}
