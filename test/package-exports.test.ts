/**
 * The package's `exports` map is the only way in (issue 12, point 7): four entry points, every deep
 * path refused, TypeScript (node10 as in tslab, and bundler as in the extension) sees the same four,
 * and nothing in the repository imports a deep path. Runs against kernel-lib/dist (build first).
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/stagebook-bin';

const requireFromRoot = createRequire(path.join(REPO_ROOT, 'package.json'));
const ENTRIES: Record<string, string> = {
  stagebook: 'dist/index',
  'stagebook/notebook': 'dist/notebook/index',
  'stagebook/testing': 'dist/testing/index',
  'stagebook/progress-schema': 'dist/display/progress-schema',
};

describe('the stagebook exports map', () => {
  it('serves the four entry points, each with what it is for', () => {
    for (const [spec, file] of Object.entries(ENTRIES)) {
      expect(requireFromRoot.resolve(spec)).toBe(path.join(REPO_ROOT, 'kernel-lib', `${file}.js`));
    }
    expect(typeof requireFromRoot('stagebook').findPeaks).toBe('function');
    expect(typeof requireFromRoot('stagebook/notebook').runNotebook).toBe('function');
    expect(typeof requireFromRoot('stagebook/testing').startLocalArchive).toBe('function');
    expect(typeof requireFromRoot('stagebook/progress-schema').parseProgressPayload).toBe('function');
  });

  it('refuses every other path, including the old deep imports', () => {
    for (const spec of [
      'stagebook/dist/notebook',
      'stagebook/dist/index.js',
      'stagebook/dist/display/progress-schema',
      'stagebook/src/index',
    ]) {
      expect(() => requireFromRoot.resolve(spec), spec).toThrow(
        expect.objectContaining({ code: 'ERR_PACKAGE_PATH_NOT_EXPORTED' }),
      );
    }
  });

  it('keeps simulators, the local archive, example pipelines and internals out of the main entry', () => {
    const main = requireFromRoot('stagebook');
    const testing = requireFromRoot('stagebook/testing');
    for (const name of ['startLocalArchive', 'simulateSpeckleSeries', 'writeSimulatedXpcsDataset', 'examplePipeline']) {
      expect(main[name], name).toBeUndefined();
      expect(testing[name], name).toBeDefined();
    }
    for (const name of [
      'openDatabase',
      'migrate',
      'Heartbeat',
      'canonicalJson',
      'getJson',
      'Semaphore',
      'notebookCommand',
    ]) {
      expect(main[name], name).toBeUndefined();
    }
  });

  it('gives TypeScript the same entry points under node10 (tslab) and bundler (the extension) resolution', () => {
    const from = path.join(REPO_ROOT, 'notebooks', 'x.ts');
    for (const moduleResolution of [ts.ModuleResolutionKind.Node10, ts.ModuleResolutionKind.Bundler]) {
      const options: ts.CompilerOptions = { moduleResolution, module: ts.ModuleKind.ESNext };
      for (const [spec, file] of Object.entries(ENTRIES)) {
        const r = ts.resolveModuleName(spec, from, options, ts.sys).resolvedModule;
        expect(
          r?.resolvedFileName && path.relative(path.join(REPO_ROOT, 'kernel-lib'), r.resolvedFileName),
          `${spec} (${moduleResolution})`,
        ).toBe(`${file}.d.ts`);
      }
    }
    const deep = ts.resolveModuleName(
      'stagebook/dist/notebook',
      from,
      { moduleResolution: ts.ModuleResolutionKind.Bundler },
      ts.sys,
    );
    expect(deep.resolvedModule).toBeUndefined();
  });

  it('is the only way in: no source, test, bench, script or notebook names a deep path', () => {
    // git grep: tracked files only (never node_modules or build output).
    const hits = execFileSync(
      'git',
      ['grep', '-nE', `stagebook/(dist|src)/|kernel-lib/dist['/]`, '--', '*.ts', '*.js', '*.ipynb'],
      {
        cwd: REPO_ROOT,
        encoding: 'utf8',
      },
    )
      .split('\n')
      .filter(Boolean);
    // Allowed: files that run a compiled file by path (a CLI or worker script, not an import), and comments.
    const imports = hits.filter((h) =>
      /(from\s+['"]|require\(\s*['"]|import\(\s*['"])(stagebook\/(dist|src)\/)/.test(h),
    );
    expect(imports).toEqual([]);
  });
});
