/**
 * ALEXIS stage 4, steps 13 and 15: when the flare peaked, and its GOES class.
 *
 * Step 13 (modules/ALEXIS_02_define_ALEXIS_flares_module.py, find_alexis_peaks): peaks
 * (`find_peaks(height=0.1)`) of the fitted combination L = A.b, of the XRS target X, and of one
 * cluster's fitted column V = A_j * b_j are merged and sorted by time; walking from the earliest, the
 * entries within [t, t + 180 s] form a window (the walk then continues after them); a window holding
 * all three sources is an ALEXIS peak at the mean time of its entries. A cluster without peaks, or an
 * event where X or L has none, has no ALEXIS peak.
 *
 * Step 15 (pipeline/create_peakfinder_scale.py, assign_xray_class_to_alexis_peak with
 * ALEXIS_02_define_goes_class_module.find_closest_peak): the peaks of the full-cadence XRS-B flux
 * (`find_peaks(distance=15)`) within +-3 min of the ALEXIS peak, else +-5 min; the largest is the
 * flare's peak and its class is mag_to_class(flux / 0.7). ALEXIS crashes (IndexError) when neither
 * window holds a peak; here the result is null and the caller records the flare without a class.
 */
import { findPeaks } from '../../numeric/peaks1d';
import { goesClass, type GoesClass } from '../../numeric/goes';

export type PeakSource = 'L' | 'X' | 'V';

/** Times (seconds, any epoch) of the samples of `values` that find_peaks(height=0.1) returns. */
export function peakTimes(values: ArrayLike<number>, times: ArrayLike<number>): number[] {
  const { peaks } = findPeaks(Array.from(values), { height: 0.1 });
  return Array.from(peaks, (i) => times[i]);
}

/**
 * ALEXIS peak times (same unit as `times`, seconds) for one cluster: `fit` = A.b, `xrs` = x,
 * `cluster` = A_j * b_j, all on `times`. windowSeconds is ALEXIS' fwd_time_val (180).
 */
export function alexisPeakTimes(
  fit: ArrayLike<number>,
  xrs: ArrayLike<number>,
  cluster: ArrayLike<number>,
  times: ArrayLike<number>,
  windowSeconds = 180,
): number[] {
  const l = peakTimes(fit, times);
  const x = peakTimes(xrs, times);
  const v = peakTimes(cluster, times);
  if (l.length * x.length * v.length === 0) return [];
  const events: { time: number; from: PeakSource }[] = [
    ...l.map((time) => ({ time, from: 'L' as const })),
    ...x.map((time) => ({ time, from: 'X' as const })),
    ...v.map((time) => ({ time, from: 'V' as const })),
  ].sort((a, b) => a.time - b.time);
  const found: number[] = [];
  let i = 0;
  while (i < events.length) {
    const first = events[i].time;
    const window = events.filter((e) => e.time >= first && e.time <= first + windowSeconds);
    i += window.length;
    if (new Set(window.map((e) => e.from)).size === 3)
      found.push(window.reduce((s, e) => s + e.time, 0) / window.length);
  }
  return found;
}

export interface FlarePeakClass {
  /** Time (seconds) and flux (W/m^2) of the XRS-B peak the class is taken from. */
  peakTime: number;
  peakFlux: number;
  /** '3m' or '5m': the window that held the peak (ALEXIS' final_fwd_bkg_time). */
  window: '3m' | '5m';
  goes: GoesClass;
}

/**
 * The GOES class at an ALEXIS peak time from the full-cadence XRS-B series (times in seconds).
 * Null when no XRS-B peak lies within +-5 min.
 */
export function goesClassAtPeak(
  xrsB: ArrayLike<number>,
  times: ArrayLike<number>,
  alexisPeak: number,
): FlarePeakClass | null {
  const { peaks } = findPeaks(Array.from(xrsB), { distance: 15 });
  for (const [window, half] of [
    ['3m', 180],
    ['5m', 300],
  ] as const) {
    let best = -1;
    for (const i of peaks) {
      if (Math.abs(times[i] - alexisPeak) > half) continue;
      if (best < 0 || xrsB[i] > xrsB[best]) best = i;
    }
    if (best >= 0) return { peakTime: times[best], peakFlux: xrsB[best], window, goes: goesClass(xrsB[best]) };
  }
  return null;
}
