#!/usr/bin/env node
'use strict';
/**
 * Rebuilds `aia_171_sample_512.fits`, the embedded ALEXIS sample frame, from the oracle's raw
 * float32 AIA-like 512x512 image (test/fixtures/oracle/plm_aia512.f32: synthetic, one saturated
 * flare core at 16383 DN plus bright active regions). The header carries the keywords the ALEXIS
 * cleaning and peak-finder steps read (WAVELNTH, T_OBS, EXPTIME, QUALITY, CRPIX/CDELT, R_SUN),
 * with the plate scale of a full AIA frame (0.6"/px) binned 8x8 to 4.8"/px.
 * Run: node notebooks/data/make-aia-sample.js   (needs the built library: npm run build)
 */
const fs = require('node:fs');
const path = require('node:path');
const { writeFits } = require('stagebook');

const raw = fs.readFileSync(path.join(__dirname, '..', '..', 'test', 'fixtures', 'oracle', 'plm_aia512.f32'));
const data = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
const header = [
  ['ORIGIN', 'stagebook', 'synthetic AIA-like sample frame'],
  ['TELESCOP', 'SDO/AIA', ''],
  ['INSTRUME', 'AIA_3', ''],
  ['WAVELNTH', 171, '[angstrom] wavelength'],
  ['WAVEUNIT', 'angstrom', ''],
  ['T_OBS', '2011-02-08T21:10:59.34Z', 'observation time (ALEXIS sample flare C4.0 at 21:11)'],
  ['DATE-OBS', '2011-02-08T21:10:58.34', ''],
  ['EXPTIME', 1.999, '[s] exposure time'],
  ['QUALITY', 0, 'AIA quality word: 0 = good'],
  ['BUNIT', 'DN', ''],
  ['CTYPE1', 'HPLN-TAN', ''],
  ['CTYPE2', 'HPLT-TAN', ''],
  ['CUNIT1', 'arcsec', ''],
  ['CUNIT2', 'arcsec', ''],
  ['CRPIX1', 256.5, 'reference pixel (sun centre)'],
  ['CRPIX2', 256.5, ''],
  ['CRVAL1', 0.0, ''],
  ['CRVAL2', 0.0, ''],
  ['CDELT1', 4.8, '[arcsec/px] 0.6"/px binned 8x8'],
  ['CDELT2', 4.8, ''],
  ['CROTA2', 0.0, ''],
  ['RSUN_OBS', 973.1, '[arcsec] solar radius'],
  ['R_SUN', 202.73, '[px] solar radius'],
  ['DSUN_OBS', 1.4766e11, '[m]'],
  ['HISTORY', 'Synthetic frame for the stagebook ALEXIS tutorial; not an observation.'],
];
const out = path.join(__dirname, 'aia_171_sample_512.fits');
writeFits(out, [{ data, shape: [512, 512], header }], { overwrite: true });
console.log(`wrote ${out}`);
