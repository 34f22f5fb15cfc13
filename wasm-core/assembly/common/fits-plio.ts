// PLIO_1 tile decoding: IRAF pixel-list line lists to integer pixels (cfitsio pliocomp.c pl_l2pi,
// D. Tody's translation of the SPP PL_L2P). The line list is 16-bit words: a header (list length
// in word 3, or words 4-5 with the header length in word 2 for the long form) then instructions
// opcode (bits 12-14) + data (bits 0-11): 0 zeros, 1 set high value (next word << 12 | data),
// 2/3 increment/decrement value, 4 run of value, 5 zeros then one value, 6/7 inc/dec and one pixel.

export const PLIO_OK: i32 = 0;
export const PLIO_TRUNCATED: i32 = 1;

/** Word `i` (1-based, as in the C) of the host-order i16 line list at `ll`. */
@inline function word(ll: usize, i: i32): i32 {
  return <i32>load<i16>(ll + (<usize>(i - 1) << 1));
}

/** Decodes the line list (`nwords` i16 words at `ll`) into `npix` i32 pixels at `out`. */
export function plioDecode(ll: usize, nwords: i32, out: usize, npix: i32): i32 {
  for (let i = 0; i < npix; i++) store<i32>(out + (<usize>i << 2), 0);
  if (nwords < 3) return PLIO_TRUNCATED;
  let lllen: i32, llfirt: i32;
  if (word(ll, 3) > 0) {
    lllen = word(ll, 3);
    llfirt = 4;
  } else {
    if (nwords < 5) return PLIO_TRUNCATED;
    lllen = (word(ll, 5) << 15) + word(ll, 4);
    llfirt = word(ll, 2) + 1;
  }
  if (npix <= 0 || lllen <= 0) return PLIO_OK;
  if (lllen > nwords) return PLIO_TRUNCATED;
  const xs = 1, xe = npix;
  let op = 1, x1 = 1, pv = 1;
  for (let ip = llfirt; ip <= lllen; ip++) {
    const w = word(ll, ip);
    const opcode = w / 4096;
    const data = w & 4095;
    if (opcode == 0 || opcode == 4 || opcode == 5) {
      const x2 = x1 + data - 1;
      const i1 = max(x1, xs), i2 = min(x2, xe);
      const np = i2 - i1 + 1;
      if (np > 0) {
        const otop = op + np - 1;
        const fill = opcode == 4 ? pv : 0;
        for (let i = op; i <= otop; i++) store<i32>(out + (<usize>(i - 1) << 2), fill);
        if (opcode == 5 && i2 == x2) store<i32>(out + (<usize>(otop - 1) << 2), pv);
        op = otop + 1;
      }
      x1 = x2 + 1;
    } else if (opcode == 1) {
      if (ip + 1 > nwords) return PLIO_TRUNCATED;
      pv = (word(ll, ip + 1) << 12) + data;
      ip++; // the next word was the high part of the value
    } else if (opcode == 2) {
      pv += data;
    } else if (opcode == 3) {
      pv -= data;
    } else if (opcode == 6 || opcode == 7) {
      pv = opcode == 6 ? pv + data : pv - data;
      if (x1 >= xs && x1 <= xe) { store<i32>(out + (<usize>(op - 1) << 2), pv); op++; }
      x1++;
    }
    if (x1 > xe) break;
  }
  return PLIO_OK;
}
