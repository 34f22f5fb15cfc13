/**
 * GOES X-ray flare class of an XRS-B flux, as ALEXIS computes it
 * (modules/ALEXIS_02_define_goes_class_module.py: mag_to_class, which is sunpy's
 * flux_to_flareclass without its negative check; called with flux / 0.7 in
 * pipeline/create_peakfinder_scale.py). Exact reproduction matters because catalogue rows are
 * compared as strings (shared/oracle/README-alexis.md, goes_class):
 * - decade = floor(log10(F)), not comparisons with 1e-5 etc. (a double just below 1e-5 whose log10
 *   rounds to -5 is "M1", not "C10");
 * - the letter is clamped: below 1e-8 it stays A, above 1e-4 it stays X (X is not capped: "X23");
 * - subclass = F times the exact constant 1e8 .. 1e4 (one IEEE multiplication);
 * - the text is Python's format(subclass, '.3g'): the exact binary value rounded to 3 significant
 *   digits with ties to even (JavaScript's toPrecision rounds ties up), trailing zeros dropped.
 */
import { StagebookError } from '../../errors/stagebook-error';

export type GoesLetter = 'A' | 'B' | 'C' | 'M' | 'X';

export interface GoesClass {
  /** The flux that was classified: flux / 0.7 when the factor is applied (IEEE division). */
  scaledFlux: number;
  decade: number;
  letter: GoesLetter;
  subclass: number;
  /** e.g. 'M2.35', 'X23', 'A0.05', 'A1.23e-05'. */
  class: string;
}

export interface GoesClassOptions {
  /**
   * Divide by 0.7 first, as ALEXIS does for the XRS-B flux of GOES-16+ (the factor that makes recent
   * fluxes consistent with GOES-7 scaling). Default true.
   */
  applyScaleFactor?: boolean;
}

const LETTERS: Record<number, GoesLetter> = { [-8]: 'A', [-7]: 'B', [-6]: 'C', [-5]: 'M', [-4]: 'X' };
const POWERS: Record<number, number> = { [-8]: 1e8, [-7]: 1e7, [-6]: 1e6, [-5]: 1e5, [-4]: 1e4 };

/**
 * Python's format(v, '.3g') for a finite v > 0: round the exact binary value to 3 significant
 * digits, ties to even; fixed notation when the rounded exponent e is in [-4, 3), else d.dde+XX;
 * trailing zeros and a trailing point removed.
 */
export function formatPython3g(v: number): string {
  // toExponential(40) is exact to 41 significant digits: enough to see every digit that decides the
  // rounding, since no double other than an exact tie lies within 1e-17 (relative) of one.
  const [mant, expText] = v.toExponential(40).split('e');
  const digits = mant.replace('.', '');
  let exp = Number(expText);
  let head = Number(digits.slice(0, 3));
  const rest = digits.slice(3);
  const firstRest = Number(rest[0]);
  const tie = firstRest === 5 && /^50*$/.test(rest);
  if (firstRest > 5 || (firstRest === 5 && !tie) || (tie && head % 2 === 1)) head += 1;
  if (head === 1000) {
    head = 100;
    exp += 1;
  }
  const d = String(head);
  const strip = (s: string): string => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);
  if (exp >= -4 && exp < 3) {
    const scaled =
      exp >= 2
        ? d.slice(0, exp + 1) + '.' + d.slice(exp + 1)
        : exp >= 0
          ? d.slice(0, exp + 1) + '.' + d.slice(exp + 1)
          : '0.' + '0'.repeat(-exp - 1) + d;
    return strip(scaled);
  }
  const sign = exp < 0 ? '-' : '+';
  return `${strip(d[0] + '.' + d.slice(1))}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
}

/**
 * The GOES class of an XRS-B flux in W/m^2 (see the module comment).
 * @throws StagebookError E_INVALID_ARGUMENT when the flux is not a finite number > 0 (ALEXIS would
 *   return 'A0' for 0 and 'Nonenan' for negative or NaN input; the pipeline keeps only flux > 0)
 */
export function goesClass(flux: number, options: GoesClassOptions = {}): GoesClass {
  if (typeof flux !== 'number' || !Number.isFinite(flux) || !(flux > 0)) {
    throw new StagebookError('E_INVALID_ARGUMENT', `goesClass: flux must be a finite number > 0 (got ${flux})`, {
      where: 'goesClass',
      field: 'flux',
    });
  }
  const scaledFlux = options.applyScaleFactor === false ? flux : flux / 0.7;
  let decade = Math.floor(Math.log10(scaledFlux));
  if (decade < -8) decade = -8;
  else if (decade > -4) decade = -4;
  const letter = LETTERS[decade];
  const subclass = scaledFlux * POWERS[decade];
  return { scaledFlux, decade, letter, subclass, class: letter + formatPython3g(subclass) };
}
