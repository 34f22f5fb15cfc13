/**
 * Helpers shared by the test files (never shipped: not under kernel-lib/src's build).
 */
import { execFileSync } from 'node:child_process';
import { expect } from 'vitest';
import { isStagebookError } from '../../kernel-lib/src/errors/stagebook-error';

/**
 * The oracle's LCG (s' = 1664525 s + 1013904223 mod 2^32; README "Deterministic LCG generator"):
 * uniforms in [0, 1), shifted by `offset` (e.g. -0.5 for noise centred on zero).
 */
export function lcg(seed: number, offset = 0): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(1664525, s) + 1013904223) >>> 0;
    return s / 2 ** 32 + offset;
  };
}

/** Asserts that `fn` throws a StagebookError whose message matches `pattern`; returns it. */
export function expectStagebookError(fn: () => unknown, pattern: RegExp): Error {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(isStagebookError(thrown), `expected a StagebookError, got ${String(thrown)}`).toBe(true);
  expect((thrown as Error).message).toMatch(pattern);
  return thrown as Error;
}

/**
 * Runs a snippet with Debian's python3 (numpy, scipy): `data` arrives as JSON on stdin as `D`,
 * `np`, `ss` (scipy.signal) and `si` (scipy.interpolate) are imported; the snippet prints JSON.
 */
export function python(code: string, data: unknown): any {
  const src = `import json, sys\nimport numpy as np\nimport scipy.signal as ss\nimport scipy.interpolate as si\nD = json.load(sys.stdin)\n${code}`;
  return JSON.parse(
    execFileSync('/usr/bin/python3', ['-c', src], { input: JSON.stringify(data), maxBuffer: 256 << 20 }).toString(),
  );
}
