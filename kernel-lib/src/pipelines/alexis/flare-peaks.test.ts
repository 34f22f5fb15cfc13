import { describe, expect, it } from 'vitest';
import { alexisPeakTimes, goesClassAtPeak } from './flare-peaks';

const minute = (n: number): number[] => Array.from({ length: n }, (_, i) => i * 60);
const pulse = (n: number, at: number, width: number, height = 1): number[] =>
  Array.from({ length: n }, (_, i) => height * Math.exp(-0.5 * ((i - at) / width) ** 2));

describe('alexisPeakTimes (find_alexis_peaks, 180 s forward window)', () => {
  it('accepts a peak seen by the fit, XRS and the cluster within 180 s, at the mean of their times', () => {
    const t = minute(60);
    // L peaks at minute 20, X at 21, V at 22: one window [1200, 1380] s holding all three.
    expect(alexisPeakTimes(pulse(60, 20, 3), pulse(60, 21, 3), pulse(60, 22, 3), t)).toEqual([
      (1200 + 1260 + 1320) / 3,
    ]);
  });

  it('rejects a cluster whose peak is more than 180 s after the first of the window', () => {
    const t = minute(60);
    expect(alexisPeakTimes(pulse(60, 20, 3), pulse(60, 21, 3), pulse(60, 24, 3), t)).toEqual([]);
  });

  it('finds nothing when a source has no peak above 0.1', () => {
    const t = minute(60);
    expect(alexisPeakTimes(pulse(60, 20, 3), pulse(60, 20, 3), pulse(60, 20, 3, 0.05), t)).toEqual([]);
  });

  it('continues after a window: two flares give two peaks', () => {
    const t = minute(120);
    const two = (a: number, b: number): number[] => pulse(120, a, 3).map((v, i) => v + pulse(120, b, 3)[i]);
    expect(alexisPeakTimes(two(20, 80), two(20, 80), two(20, 81), t)).toEqual([1200, (4800 * 2 + 4860) / 3]);
  });
});

describe('goesClassAtPeak (find_closest_peak, +-3 min then +-5 min)', () => {
  const t = Array.from({ length: 600 }, (_, i) => i * 2); // 2 s cadence
  const flux = (peakAt: number, value: number): number[] => pulse(600, peakAt, 20, value).map((v) => v + 1e-7);

  it('classifies the largest XRS-B peak within 3 minutes of the ALEXIS peak, divided by 0.7', () => {
    const got = goesClassAtPeak(flux(300, 7e-6), t, 600 + 100);
    expect(got?.window).toBe('3m');
    expect(got?.peakTime).toBe(600);
    expect(got?.goes.class).toBe(`M${(((7e-6 + 1e-7) / 0.7) * 1e5).toPrecision(3).replace(/0+$/, '')}`);
  });

  it('falls back to 5 minutes, and gives null beyond', () => {
    expect(goesClassAtPeak(flux(300, 7e-6), t, 600 + 240)?.window).toBe('5m');
    expect(goesClassAtPeak(flux(300, 7e-6), t, 600 + 400)).toBeNull();
  });
});
