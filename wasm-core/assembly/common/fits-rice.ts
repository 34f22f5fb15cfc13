// Rice coding parameters per pixel size, from cfitsio ricecomp.c (fits_rcomp / fits_rdecomp):
// fsbits = bits used to store the FS code, fsmax = FS value meaning "verbatim", bbits = bits/pixel.

@final
export class RiceParams {
  constructor(public fsbits: i32, public fsmax: i32, public bbits: i32) {}
}

const P1 = new RiceParams(3, 6, 8);
const P2 = new RiceParams(4, 14, 16);
const P4 = new RiceParams(5, 25, 32);
const NONE = new RiceParams(0, 0, 0);

/** Parameters for `bytepix` 1, 2 or 4; fsbits 0 for anything else. */
export function riceParams(bytepix: i32): RiceParams {
  if (bytepix == 4) return P4;
  if (bytepix == 2) return P2;
  if (bytepix == 1) return P1;
  return NONE;
}
