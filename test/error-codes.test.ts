/**
 * The error contract (issue 12, point 7): a closed union of codes, each documented in docs/errors.md
 * (and nothing else documented), and a `Symbol.for` brand so `instanceof StagebookError` holds across
 * two loaded copies of the library (tslab can load it twice). The copies are two module instances of
 * the built file (kernel-lib/dist: build first).
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as errors from '../kernel-lib/src/errors/stagebook-error';
import { REPO_ROOT } from './support/stagebook-bin';

type ErrorsModule = typeof errors;
const BUILT = path.join(REPO_ROOT, 'kernel-lib', 'dist', 'errors', 'stagebook-error.js');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'sb-errors-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A fresh module instance of the built errors module (its own class objects). */
function loadCopy(name: string): ErrorsModule {
  const file = path.join(tmp, `${name}.js`);
  copyFileSync(BUILT, file);
  return createRequire(file)(file) as ErrorsModule;
}

describe('error codes', () => {
  it('docs/errors.md lists every code exactly once and no other', () => {
    const documented = [
      ...readFileSync(path.join(REPO_ROOT, 'docs', 'errors.md'), 'utf8').matchAll(/^\| `(E_[A-Z0-9_]+)` \|/gm),
    ].map((m) => m[1]);
    expect(new Set(documented).size, 'a code is documented twice').toBe(documented.length);
    expect([...documented].sort()).toEqual([...errors.STAGEBOOK_ERROR_CODES].sort());
  });

  it('the runtime list matches the union in the source, one code each', () => {
    const src = readFileSync(path.join(REPO_ROOT, 'kernel-lib', 'src', 'errors', 'stagebook-error.ts'), 'utf8');
    const start = src.indexOf('export type StagebookErrorCode');
    const union = src.slice(start, src.indexOf('\n\n', start)); // comments may contain ';'
    expect([...union.matchAll(/'(E_[A-Z0-9_]+)'/g)].map((m) => m[1]).sort()).toEqual(
      [...errors.STAGEBOOK_ERROR_CODES].sort(),
    );
    expect(errors.isStagebookErrorCode('E_USAGE')).toBe(true);
    expect(errors.isStagebookErrorCode('E_NOT_A_CODE')).toBe(false);
    expect(errors.isStagebookErrorCode('toString')).toBe(false);
  });

  it('instanceof and isStagebookError hold across two loaded copies of the library', () => {
    const a = loadCopy('copy-a');
    const b = loadCopy('copy-b');
    expect(a.StagebookError).not.toBe(b.StagebookError);
    const fromA = new a.StagebookError('E_USAGE', 'bad flag', { field: '--x' });
    expect(fromA instanceof b.StagebookError).toBe(true);
    expect(b.isStagebookError(fromA)).toBe(true);
    expect(b.isStagebookError(fromA, 'E_USAGE')).toBe(true);
    expect(b.isStagebookError(fromA, 'E_IO')).toBe(false);
    expect(fromA instanceof Error).toBe(true);
    // The brand does not leak into JSON or key listings.
    expect(Object.getOwnPropertySymbols(fromA)).toEqual([]);
    expect(Object.keys(fromA).sort()).toEqual(['code', 'context', 'name']);
    expect(JSON.parse(JSON.stringify(fromA))).toEqual({
      name: 'StagebookError',
      code: 'E_USAGE',
      message: 'bad flag',
      context: { field: '--x' },
    });
  });

  it('does not mistake plain errors or look-alike objects for StagebookErrors', () => {
    const b = loadCopy('copy-c');
    expect(new Error('x') instanceof b.StagebookError).toBe(false);
    expect({ name: 'StagebookError', code: 'E_USAGE', message: 'x' } instanceof b.StagebookError).toBe(false);
    expect((null as unknown) instanceof b.StagebookError).toBe(false);
    expect(b.isStagebookError('E_USAGE')).toBe(false);
  });

  it('subclasses keep their own identity check', () => {
    class AttemptLike extends errors.StagebookError {}
    const plain = new errors.StagebookError('E_IO', 'x');
    const sub = new AttemptLike('E_IO', 'y');
    expect(sub instanceof errors.StagebookError).toBe(true);
    expect(sub instanceof AttemptLike).toBe(true);
    expect(plain instanceof AttemptLike).toBe(false);
  });
});
