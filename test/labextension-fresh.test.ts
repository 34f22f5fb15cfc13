/**
 * The prebuilt JupyterLab extension (jupyter-extension/labextension/) is committed, so a user installs
 * it without the ~180 MB build toolchain (issue 12, point 6). These tests fail when it is stale relative
 * to what it is built from (jupyter-extension/scripts/source-hash.js), naming the changed files and the
 * one command that rebuilds it; and check that the hash follows every bundled input and nothing else.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/stagebook-bin';

interface SourceHash {
  hash: string;
  inputs: Record<string, string>;
}
interface Stamp extends SourceHash {
  mode: string;
  rebuild: string;
}
interface SourceHashModule {
  sourceHash(root: string): SourceHash;
  inputFiles(root: string): string[];
  readStamp(labextensionDir: string): Stamp | null;
  changedInputs(stamped: Record<string, string> | undefined, current: Record<string, string>): string[];
}
const load = createRequire(__filename);
const { sourceHash, inputFiles, readStamp, changedInputs } = load(
  path.join(REPO_ROOT, 'jupyter-extension/scripts/source-hash.js'),
) as SourceHashModule;
const LABEXTENSION = path.join(REPO_ROOT, 'jupyter-extension', 'labextension');
const REBUILD = 'npm run build:extension';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'sb-labext-fresh-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A copy of the inputs (plus a test file and the scripts) in a scratch root the test may edit. */
function scratchRoot(name: string): string {
  const root = path.join(tmp, name);
  const files = [
    ...inputFiles(REPO_ROOT),
    'package-lock.json',
    'jupyter-extension/src/settings.test.ts',
    'jupyter-extension/src/test-support/fakes.ts',
    'kernel-lib/src/types/run-status.ts',
    'jupyter-extension/scripts/build.js',
    'jupyter-extension/scripts/install-deps.js',
    'jupyter-extension/scripts/source-hash.js',
    'scripts/lib/on-demand-install.js',
  ];
  for (const rel of files) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    cpSync(path.join(REPO_ROOT, rel), path.join(root, rel));
  }
  return root;
}

function edit(root: string, rel: string, change: (text: string) => string): void {
  const file = path.join(root, rel);
  writeFileSync(file, change(readFileSync(file, 'utf8')));
}

describe('the committed prebuilt extension', () => {
  it('was built, in production mode, from the current sources', () => {
    const stamp = readStamp(LABEXTENSION);
    const current = sourceHash(REPO_ROOT);
    const changed = changedInputs(stamp?.inputs, current.inputs);
    const why = stamp
      ? `changed since it was built: ${changed.join(', ')}`
      : 'labextension/build-source.json is missing (never built, or the build failed)';
    expect(
      stamp?.hash === current.hash,
      `jupyter-extension/labextension/ is stale (${why}). Rebuild it with \`${REBUILD}\` and commit it.`,
    ).toBe(true);
    expect(stamp!.mode, `a development build is committed; rebuild with \`${REBUILD}\``).toBe('production');
    const manifest = JSON.parse(readFileSync(path.join(LABEXTENSION, 'package.json'), 'utf8'));
    expect(existsSync(path.join(LABEXTENSION, manifest.jupyterlab._build.load))).toBe(true);
  });

  it('is tracked by git, not ignored (users install it as committed)', () => {
    const ignored = spawnSync('git', ['check-ignore', '-q', 'jupyter-extension/labextension/package.json'], {
      cwd: REPO_ROOT,
    });
    expect(ignored.status, 'git check-ignore: 1 = not ignored').toBe(1);
  });
});

describe('the source hash of the prebuilt extension', () => {
  it('changes with every bundled input, names it, and ignores tests and type-only imports', () => {
    const root = scratchRoot('inputs');
    const base = sourceHash(root);
    expect(base.hash).toBe(sourceHash(REPO_ROOT).hash); // the copy is complete
    const changes: Array<[string, (t: string) => string, string | null]> = [
      [
        'jupyter-extension/src/progress/model.ts',
        (t) => `${t}\n// edited\n`,
        'jupyter-extension/src/progress/model.ts',
      ],
      ['jupyter-extension/style/base.css', (t) => `${t}\n/* edited */\n`, 'jupyter-extension/style/base.css'],
      ['jupyter-extension/package.json', (t) => t.replace('"0.1.0"', '"0.1.1"'), 'jupyter-extension/package.json'],
      // bundled through stagebook/progress-schema -> ../errors/zod-issues
      ['kernel-lib/src/errors/zod-issues.ts', (t) => `${t}\n// edited\n`, 'kernel-lib/src/errors/zod-issues.ts'],
      ['package-lock.json', (t) => t.replace(/("node_modules\/zod": \{\s*"version": ")[^"]+/, '$19.9.9'), 'zod'],
      ['jupyter-extension/src/settings.test.ts', (t) => `${t}\n// edited\n`, null],
      ['jupyter-extension/src/test-support/fakes.ts', (t) => `${t}\n// edited\n`, null],
      ['kernel-lib/src/types/run-status.ts', (t) => `${t}\n// edited\n`, null], // `import type`: no code
      ['jupyter-extension/src/index.ts', (t) => t.replace(/\n/g, '\r\n'), null], // a CRLF checkout
    ];
    for (const [rel, change, named] of changes) {
      const original = readFileSync(path.join(root, rel), 'utf8');
      edit(root, rel, change);
      const now = sourceHash(root);
      if (named === null) {
        expect(now.hash, rel).toBe(base.hash);
      } else {
        expect(now.hash, rel).not.toBe(base.hash);
        expect(changedInputs(base.inputs, now.inputs).join('\n'), rel).toContain(named);
      }
      writeFileSync(path.join(root, rel), original);
    }
    writeFileSync(path.join(root, 'jupyter-extension/src/progress/extra.ts'), 'export const x = 1;\n');
    expect(changedInputs(base.inputs, sourceHash(root).inputs)).toEqual(['jupyter-extension/src/progress/extra.ts']);
  });

  it('`build.js --check` passes on fresh sources and fails naming the rebuild command when stale', () => {
    const root = scratchRoot('check');
    mkdirSync(path.join(root, 'jupyter-extension', 'labextension'));
    const stampFile = path.join(root, 'jupyter-extension', 'labextension', 'build-source.json');
    const check = () =>
      spawnSync(process.execPath, [path.join(root, 'jupyter-extension/scripts/build.js'), '--check'], {
        encoding: 'utf8',
      });
    const missing = check();
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('build-source.json is missing');
    writeFileSync(stampFile, JSON.stringify({ ...sourceHash(root), mode: 'production' }));
    const fresh = check();
    expect(fresh.status, fresh.stderr).toBe(0);
    edit(root, 'jupyter-extension/src/mime.ts', (t) => `${t}\n// edited\n`);
    const stale = check();
    expect(stale.status).toBe(1);
    expect(stale.stderr).toContain(`rebuild it with \`${REBUILD}\``);
    expect(stale.stderr).toContain('changed since the build: jupyter-extension/src/mime.ts');
  });
});
