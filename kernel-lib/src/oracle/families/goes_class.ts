/**
 * Oracle adapter for `goes_class` (ALEXIS' mag_to_class; shared/oracle/README-alexis.md).
 * class, letter and decade exact; scaled_flux and subclass are single IEEE operations and compare
 * exactly. Where glibc's log10 is not correctly rounded and that changes the class, the case lists
 * the correctly rounded alternative in tolerance.accept_alternatives.class.
 */
import { goesClass } from '../../numeric/goes';
import type { OracleFamily } from '../types';

interface GoesExpected {
  scaled_flux: number;
  decade: number;
  letter: string;
  subclass: number;
  class: string;
}

function fluxOf(c: Record<string, unknown>): number {
  if (c.flux_special === 'nan') return NaN;
  if (c.flux_special === 'inf') return Infinity;
  if (c.flux_special === '-inf') return -Infinity;
  return c.flux === null ? NaN : (c.flux as number);
}

export const goesClassFamily: OracleFamily = {
  family: 'goes_class',
  runCase(c, check) {
    const got = goesClass(fluxOf(c), { applyScaleFactor: c.apply_0_7 === true });
    const ref = c.expected as GoesExpected;
    const alternatives =
      (c.tolerance as { accept_alternatives?: { class?: string[] } })?.accept_alternatives?.class ?? [];
    if (alternatives.includes(got.class)) return;
    check.equal('class', got.class, ref.class);
    check.equal('letter', got.letter, ref.letter);
    check.equal('decade', got.decade, ref.decade);
    check.equal('scaled_flux', got.scaledFlux, ref.scaled_flux);
    check.equal('subclass', got.subclass, ref.subclass);
  },
};
