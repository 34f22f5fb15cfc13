import { describe, expect, it } from 'vitest';
import { xpcsIntensityStats } from './intensity';

describe('xpcsIntensityStats', () => {
  it('computes per-pixel, per-frame and per-static-bin means (hand-checked 3x1x2 stack)', () => {
    // frames: t0 = [1, 3], t1 = [2, 4], t2 = [6, 8]; pixel 0 in bin 1, pixel 1 in bin 2
    const s = xpcsIntensityStats({ data: Uint16Array.of(1, 3, 2, 4, 6, 8), shape: [3, 1, 2] }, [1, 2], {
      staticMeanWindowSize: 2,
    });
    expect(Array.from(s.pixelSum)).toEqual([3, 5]);
    expect(Array.from(s.frameSum)).toEqual([2, 3, 7]);
    expect(Array.from(s.staticBins)).toEqual([1, 2]);
    expect(Array.from(s.partitionMeanTotal)).toEqual([3, 5]);
    // one full window (frames 0-1) absorbs the remainder frame 2: means over 3 frames
    expect(s.nWindows).toBe(1);
    expect(Array.from(s.partitionMeanPartial)).toEqual([3, 5]);
  });

  it('rejects a static map of the wrong size and a bad window', () => {
    const f = { data: new Uint16Array(4), shape: [1, 2, 2] as [number, number, number] };
    expect(() => xpcsIntensityStats(f, [1, 1])).toThrow(/sqmap has 2 values/);
    expect(() => xpcsIntensityStats(f, [1, 1, 1, 1], { staticMeanWindowSize: 0 })).toThrow(/staticMeanWindowSize/);
  });
});
