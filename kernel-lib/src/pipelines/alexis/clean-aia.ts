/**
 * AIA cleaning as ALEXIS's `clean_img_data_02.clean_aia_data` does it with aiapy, with the QUALITY
 * codes it sets:
 *   header QUALITY != 0 -> passed through (data_level lev0)
 *   update_pointing: CRPIX = X0_MP/Y0_MP + 1, CDELT = IMSCL_MP, CROTA2 = INSTROT + SAT_ROT;
 *     NaN spacecraft pointing (SAT_ROT/SAT_Y0/SAT_Z0) -> 9
 *   register: not a full-disk image -> 8; else rotate north up, scale to the target plate scale and
 *     centre the Sun, bicubic (skimage warp order 3, missing = image minimum, as aiapy)
 *   correct_degradation: divide by the table's factor at T_OBS; normalize_exposure: divide by EXPTIME
 *     (EXPTIME 0 -> header QUALITY passed, lev0)
 *   flux = DN/s / (EFF_AREA * DN_GAIN); no table entry for the channel -> 7
 *   #(flux > 0) - #(flux < 0) > 0 -> 0 (lev2), otherwise -> 4 (ALEXIS leaves == 0 unset; 4 here).
 * The target plate scale is 0.6"/px at 4096 px, i.e. 0.6 * 4096 / NAXIS1 for the smaller simulated frames.
 */
import { openFits } from '../../formats/fits/file';
import type { FitsHeader } from '../../formats/fits/header';
import { warpAffine } from '../../numeric/resample/warp';
import { degradationFactor, type DegradationTable, type EffectiveAreaTable } from './calibration';
import type { CleanedImage, CleanResult } from './clean-types';

function headerNumber(h: FitsHeader, key: string): number {
  const v = h.get(key);
  return typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
}

/** Cleans one AIA lev1 file (HDU 1, as ALEXIS's open_fits_aia reads it). */
export function cleanAia(file: string, degradation: DegradationTable, effectiveArea: EffectiveAreaTable): CleanResult {
  const hdu = openFits(file).hdu(1);
  const h = hdu.header;
  const wavelength = String(h.get('WAVELNTH'));
  const exptime = headerNumber(h, 'EXPTIME');
  const quality = headerNumber(h, 'QUALITY');
  const base = { instrument: 'AIA', telescope: 'SDO', wavelength, exp_time: exptime };
  const lev0 = (code: number, max = NaN, min = NaN, flux = NaN): CleanResult => ({
    ...base,
    QUALITY: code,
    data_level: 'lev0',
    img_data_max: max,
    img_data_min: min,
    img_flux: flux,
  });
  if (quality !== 0) return lev0(quality);
  // update_pointing (aiapy): the pointing-table values replace the WCS cards.
  if (!['SAT_ROT', 'SAT_Y0', 'SAT_Z0'].every((k) => Number.isFinite(headerNumber(h, k)))) return lev0(9);
  const crpix1 = headerNumber(h, 'X0_MP') + 1;
  const crpix2 = headerNumber(h, 'Y0_MP') + 1;
  const cdelt = headerNumber(h, 'IMSCL_MP');
  const crota2 = headerNumber(h, 'INSTROT') + headerNumber(h, 'SAT_ROT');
  const [rows, cols] = hdu.shape as [number, number];
  const rsunPx = headerNumber(h, 'RSUN_OBS') / cdelt;
  // aiapy register: "Input must be a full disk image." when the limb leaves the frame.
  if (
    crpix1 - 1 - rsunPx < 0 ||
    crpix1 - 1 + rsunPx > cols - 1 ||
    crpix2 - 1 - rsunPx < 0 ||
    crpix2 - 1 + rsunPx > rows - 1
  )
    return lev0(8);
  const raw = hdu.readImage().data as ArrayLike<number>;
  let min = Infinity;
  for (let i = 0; i < raw.length; i++) if (raw[i] < min) min = raw[i];
  const target = (0.6 * 4096) / cols;
  const crpixOut = (cols + 1) / 2;
  const th = (crota2 * Math.PI) / 180;
  const c = Math.cos(th);
  const s = Math.sin(th);
  // Output (col, row) -> HPC (x, y) at the target scale, centred; HPC -> input pixel through the updated pointing.
  const k = target * (1 - crpixOut);
  const inverse = [
    (target * c) / cdelt,
    (target * s) / cdelt,
    crpix1 - 1 + (k * c + k * s) / cdelt,
    (-target * s) / cdelt,
    (target * c) / cdelt,
    crpix2 - 1 + (-k * s + k * c) / cdelt,
  ];
  const data = warpAffine({ data: raw, shape: [rows, cols] }, { inverse, outputShape: [rows, cols], cval: min });
  if (exptime === 0) return lev0(quality, 0, 0, 0);
  const factor = degradationFactor(degradation, wavelength, Date.parse(String(h.get('T_OBS'))));
  const area = effectiveArea.get(wavelength);
  if (factor === undefined || !area) return { ...lev0(7), data_level: 'lev0' };
  const scale = 1 / (factor * exptime * area.effArea * area.dnGain);
  let pos = 0;
  let neg = 0;
  let max = -Infinity;
  let mn = Infinity;
  let sum = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i] * scale;
    data[i] = v;
    if (v > 0) pos++;
    else if (v < 0) neg++;
    if (v > max) max = v;
    if (v < mn) mn = v;
    sum += v;
  }
  const image: CleanedImage = {
    data,
    shape: [rows, cols],
    crpix1: crpixOut,
    crpix2: crpixOut,
    cdelt1: target,
    cdelt2: target,
  };
  if (pos - neg > 0)
    return { ...base, QUALITY: 0, data_level: 'lev2', img_data_max: max, img_data_min: mn, img_flux: sum, image };
  return lev0(4, max, mn, sum);
}
