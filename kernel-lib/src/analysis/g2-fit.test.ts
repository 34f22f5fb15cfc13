import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { lcg } from '../../../test/support/helpers';
import { isStagebookError } from '../errors/stagebook-error';
import { fitG2Decay, g2Model } from './g2-fit';
import { leastSquares } from './least-squares';

describe('fitG2Decay', () => {
  const taus = [1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 16, 20, 24, 28, 32, 40, 48, 56, 64, 80, 96, 112, 128];

  it('recovers known parameters from noisy curves within its own error bars (20 seeds)', () => {
    let within = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const rnd = lcg(seed);
      const sigma = 0.01;
      const g2 = taus.map((t) => g2Model(t, 1.0, 0.3, 15, 1) + sigma * (rnd() + rnd() + rnd() - 1.5) * 2);
      const fit = fitG2Decay(
        taus,
        g2,
        taus.map(() => sigma),
      );
      expect(fit.converged).toBe(true);
      if (Math.abs(fit.tau - 15) <= 2 * fit.tauErr) within++;
    }
    expect(within).toBeGreaterThanOrEqual(17); // ~95% coverage of a 2-sigma interval
  });

  it('fits a stretched exponent', () => {
    const g2 = taus.map((t) => g2Model(t, 1.02, 0.25, 20, 0.7));
    const fit = fitG2Decay(taus, g2, undefined, { fitExponent: true });
    expect(fit.exponent).toBeCloseTo(0.7, 4);
    expect(fit.tau).toBeCloseTo(20, 3);
  });

  it('rejects mismatched lengths and too few lags', () => {
    for (const call of [() => fitG2Decay([1, 2, 3], [1, 2]), () => fitG2Decay([1, 2, 3], [1.3, 1.2, 1.1])]) {
      let err: unknown;
      try {
        call();
      } catch (e) {
        err = e;
      }
      expect(isStagebookError(err)).toBe(true);
    }
  });

  it('matches scipy.optimize.curve_fit parameters and errors on the same data', () => {
    const rnd = lcg(99);
    const g2 = taus.map((t) => g2Model(t, 1.0, 0.3, 12, 1) + 0.02 * (rnd() - 0.5));
    const code = `import json,sys,numpy as np\nfrom scipy.optimize import curve_fit\nd=json.load(sys.stdin)\nf=lambda t,b,a,tau: b+a*np.exp(-2*(t/tau))\np,c=curve_fit(f,np.array(d['x']),np.array(d['y']),p0=[1,0.3,10])\nprint(json.dumps({'p':p.tolist(),'e':np.sqrt(np.diag(c)).tolist()}))`;
    const r = spawnSync('/usr/bin/python3', ['-c', code], {
      input: JSON.stringify({ x: taus, y: g2 }),
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    const ref = JSON.parse(r.stdout) as { p: number[]; e: number[] };
    const fit = fitG2Decay(taus, g2);
    const ours = [fit.baseline, fit.beta, fit.tau];
    const errs = [fit.baselineErr, fit.betaErr, fit.tauErr];
    ours.forEach((v, i) => expect(Math.abs(v - ref.p[i])).toBeLessThan(1e-6 * Math.max(1, Math.abs(ref.p[i]))));
    errs.forEach((v, i) => expect(Math.abs(v - ref.e[i]) / ref.e[i]).toBeLessThan(1e-3));
  });
});

describe('leastSquares', () => {
  it('solves a straight line exactly and respects bounds', () => {
    const r = leastSquares({ model: (x, p) => p[0] + p[1] * x, x: [0, 1, 2, 3], y: [1, 3, 5, 7], initial: [0, 0] });
    expect(r.params[0]).toBeCloseTo(1, 8);
    expect(r.params[1]).toBeCloseTo(2, 8);
    const b = leastSquares({ model: (x, p) => p[0] * x, x: [1, 2, 3], y: [2, 4, 6], initial: [0], upper: [1.5] });
    expect(b.params[0]).toBe(1.5);
  });
});
