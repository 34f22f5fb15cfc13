/**
 * Every ```ts block of README.md runs against the built library (`stagebook` -> kernel-lib/dist):
 * the documented examples are executable and their asserts hold, so the README cannot rot.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, it } from 'vitest';

const root = join(__dirname, '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/^### (.+)\n[\s\S]*?```ts\n([\s\S]*?)```/gm)].map((m) => [m[1], m[2]] as const);
const requireFromRoot = createRequire(join(root, 'package.json'));

function runExample(source: string): void {
  const js = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  }).outputText;
  const req = (id: string) => (id === 'stagebook' ? requireFromRoot(join(root, 'kernel-lib')) : requireFromRoot(id));
  const module = { exports: {} };
  new Function('require', 'module', 'exports', js)(req, module, module.exports);
}

describe('README examples', () => {
  it('has examples', () => {
    if (blocks.length < 4) throw new Error(`expected at least 4 ts examples, found ${blocks.length}`);
  });
  it.each(blocks)('%s', (_title, source) => {
    runExample(source);
  });
});
