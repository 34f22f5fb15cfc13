/**
 * Raw -> engineering calibration from the MIB: numerical curves (CAF header + CAP points, linear
 * interpolation between points; CAF_INTER 'P' extrapolates, 'F' refuses values outside the curve)
 * and textual calibrations (TXF header + TXP ranges `[TXP_FROM, TXP_TO] -> TXP_ALTXT`). CUR rows
 * select a calibration per value of another parameter (CUR_RLCHK = CUR_VALPAR).
 */
import { StagebookError } from '../../errors/stagebook-error';

/** A numerical calibration curve. */
export interface NumericalCalibration {
  kind: 'numerical';
  id: string;
  unit: string;
  xs: number[];
  ys: number[];
  /** Extrapolate outside the points ('P') or fail ('F'). */
  extrapolate: boolean;
}

/** A textual calibration. */
export interface TextualCalibration {
  kind: 'textual';
  id: string;
  ranges: Array<{ from: number; to: number; text: string }>;
}

export type Calibration = NumericalCalibration | TextualCalibration;

/** Applies a numerical curve to a raw value (piecewise linear, SCOS-2000 semantics). */
export function applyNumerical(cal: NumericalCalibration, raw: number, param: string): number {
  const { xs, ys } = cal;
  if (xs.length === 1) return ys[0];
  let i = 0;
  if (raw < xs[0] || raw > xs[xs.length - 1]) {
    if (!cal.extrapolate) {
      throw new StagebookError(
        'E_STIX_IDB',
        `calibration CAF ${cal.id} of ${param}: raw value ${raw} outside [${xs[0]}, ${xs[xs.length - 1]}] and CAF_INTER is F (no extrapolation)`,
        { where: 'applyNumerical', field: param },
      );
    }
    i = raw < xs[0] ? 0 : xs.length - 2;
  } else {
    while (i < xs.length - 2 && raw > xs[i + 1]) i++;
  }
  const t = (raw - xs[i]) / (xs[i + 1] - xs[i]);
  return ys[i] + t * (ys[i + 1] - ys[i]);
}

/** Applies a textual calibration; a raw value in no range is an error naming the TXF. */
export function applyTextual(cal: TextualCalibration, raw: number, param: string): string {
  for (const r of cal.ranges) if (raw >= r.from && raw <= r.to) return r.text;
  throw new StagebookError('E_STIX_IDB', `calibration TXF ${cal.id} of ${param}: raw value ${raw} is in no TXP range`, {
    where: 'applyTextual',
    field: param,
  });
}
