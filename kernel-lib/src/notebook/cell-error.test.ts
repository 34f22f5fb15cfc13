/** The user's view of a failing cell, and did-you-mean for parameters. */
import { describe, expect, it } from 'vitest';
import { cellErrorView, formatCellError, matchSourceLine, trimTslabStderr } from './cell-error';
import { didYouMean, editDistance } from './parameters';

// What tslab 1.0.22 printed for test/fixtures/notebooks/failing.ipynb (cell 2).
const SOURCE =
  'import { StagebookError } from "stagebook";\nfunction load(): number { throw new StagebookError("E_INVALID_ARGUMENT", "load: path: no such file", { where: "load" }); }\nload();\n';
const STDERR = `evalmachine.<anonymous>:5
function load() { throw new stagebook_1.StagebookError("E_INVALID_ARGUMENT", "load: path: no such file", { where: "load" }); }
                  ^

StagebookError: load: path: no such file
    at load (evalmachine.<anonymous>:5:25)
    at evalmachine.<anonymous>:7:22
    at evalmachine.<anonymous>:9:3
    at sigintHandlersWrap (node:vm:280:12)
    at Script.runInThisContext (node:vm:135:14)
    at Object.runInThisContext (node:vm:317:38)
    at Object.execute (/repo/node_modules/tslab/dist/executor.js:160:38)
    at JupyterHandlerImpl.handleExecuteImpl (/repo/node_modules/tslab/dist/jupyter.js:250:38)
    at /repo/node_modules/tslab/dist/jupyter.js:208:57
    at async JupyterHandlerImpl.handleExecute (/repo/node_modules/tslab/dist/jupyter.js:208:21) {
  code: 'E_INVALID_ARGUMENT',
  context: { where: 'load' }
}
`;

describe('failing cell view', () => {
  it('finds the user line behind the transpiled line and trims tslab frames', () => {
    const v = cellErrorView(STDERR, SOURCE);
    expect(v.line).toBe(2);
    expect(v.source).toMatch(/^function load\(\): number \{ throw new StagebookError/);
    expect(v.trace).toBe(
      "StagebookError: load: path: no such file {\n  code: 'E_INVALID_ARGUMENT',\n  context: { where: 'load' }\n}",
    );
    expect(v.trace).not.toMatch(/evalmachine|tslab|node:vm/);
    const text = formatCellError('cell 3', 'E_INVALID_ARGUMENT', 'load: path: no such file', v);
    expect(text.split('\n')[0]).toBe('cell 3, line 2: E_INVALID_ARGUMENT: load: path: no such file');
    expect(text.split('\n')[1]).toMatch(/^ {2}> function load\(\): number/);
  });

  it('keeps frames of libraries the user called, and takes type errors line numbers as they are', () => {
    const lib =
      'Error: x\n    at parse (/repo/kernel-lib/dist/formats/fits.js:10:3)\n    at evalmachine.<anonymous>:3:1\n';
    expect(trimTslabStderr(lib)).toBe('Error: x\n    at parse (/repo/kernel-lib/dist/formats/fits.js:10:3)\n');
    const v = cellErrorView("1:7 - Type 'string' is not assignable to type 'number'.\n", 'const s: number = "x";\n');
    expect(v).toMatchObject({ line: 1, source: 'const s: number = "x";' });
    expect(matchSourceLine('', 3, 'a\nb')).toBeUndefined();
  });
});

describe('did you mean', () => {
  it('suggests the closest known parameter for a typo and nothing for unrelated names', () => {
    expect(editDistance('thresold', 'threshold')).toBe(1);
    expect(editDistance('fraems', 'frames')).toBe(1); // transposition
    expect(didYouMean('fraems', ['frames', 'size', 'seed'])).toBe('frames');
    expect(didYouMean('Size', ['frames', 'size'])).toBe('size');
    expect(didYouMean('colour', ['frames', 'size'])).toBeUndefined();
  });
});
