import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRunArgs } from './cli';
import { JsonlEventSink } from './events';
import { codeCell, parseNotebook, serializeNotebook, toLines, type Notebook } from './nbformat';
import { OutputCollector, parseTslabStderr } from './outputs';
import { insertInjectedCell, loadParameters, parseParameterArgs, validateParameters } from './parameters';
import { DELIMITER, WireSession, type JupyterMessage } from './wire';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'sb-nb-unit-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
// Parameters cells resolve `zod` from the notebook's directory, like the kernel does.
const nbDir = path.resolve(__dirname, '../../../test/fixtures/notebooks');

describe('wire protocol', () => {
  it('signs the four JSON frames with HMAC-SHA256 as the spec defines, and verifies', () => {
    const s = new WireSession('secret-key');
    const h = s.header('execute_request');
    const frames = s.serialize(h, { code: '1' });
    expect(frames[0].toString()).toBe(DELIMITER);
    const expected = createHmac('sha256', 'secret-key')
      .update(Buffer.concat(frames.slice(2, 6)))
      .digest('hex');
    expect(frames[1].toString()).toBe(expected);
    const msg = s.deserialize([Buffer.from('routing-id'), ...frames]);
    expect(msg.identities.map(String)).toEqual(['routing-id']);
    expect(msg.header.msg_type).toBe('execute_request');
    expect(msg.header.version).toBe('5.3');
    expect(msg.content).toEqual({ code: '1' });
  });

  it('rejects tampered content and foreign keys', () => {
    const s = new WireSession('k1');
    const frames = s.serialize(s.header('x'), { a: 1 });
    frames[5] = Buffer.from('{"a":2}');
    expect(() => s.deserialize(frames)).toThrow(/HMAC mismatch/);
    expect(() => new WireSession('k2').deserialize(s.serialize(s.header('x'), {}))).toThrow(/HMAC/);
    expect(() => s.deserialize([Buffer.from('no delimiter')])).toThrow(/delimiter/);
  });
});

describe('nbformat', () => {
  it('round-trips and writes sources as line lists', () => {
    const nb = parseNotebook(
      JSON.stringify({
        nbformat: 4,
        nbformat_minor: 4,
        metadata: {},
        cells: [{ cell_type: 'code', source: 'a\nb', metadata: {}, outputs: [] }],
      }),
    );
    const back = JSON.parse(serializeNotebook(nb));
    expect(back.cells[0].source).toEqual(['a\n', 'b']);
    expect(toLines('x\n\ny\n')).toEqual(['x\n', '\n', 'y\n']);
  });

  it('rejects non-notebooks with E_NOTEBOOK_FORMAT', () => {
    expect(() => parseNotebook('{')).toThrow(expect.objectContaining({ code: 'E_NOTEBOOK_FORMAT' }));
    expect(() => parseNotebook('{"nbformat":3,"cells":[]}')).toThrow(/nbformat 4/);
    expect(() => parseNotebook('{"nbformat":4,"cells":[{"cell_type":"weird"}]}')).toThrow(/cells\[0\]\.cell_type/);
  });
});

function paramsNotebook(source: string): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [codeCell('console.log(1)'), codeCell(source, { tags: ['parameters'] }), codeCell('params')],
  };
}

describe('parameters', () => {
  const withSchema =
    'import { z } from "zod";\nconst paramsSchema = z.object({ n: z.number().int().min(1), name: z.string(), flag: z.boolean() });\nconst params = { n: 3, name: "x", flag: false };\n';

  it('evaluates defaults and the zod schema of the parameters cell', () => {
    const p = loadParameters(paramsNotebook(withSchema), nbDir);
    expect(p.cellIndex).toBe(1);
    expect(p.defaults).toEqual({ n: 3, name: 'x', flag: false });
    expect(typeof p.schema?.safeParse).toBe('function');
  });

  it('parses -p values as YAML except for string parameters', () => {
    expect(
      parseParameterArgs(['n=7', 'name=007', 'flag=true', 'list=[1, 2]'], { n: 1, name: 'a', flag: false }),
    ).toEqual({ n: 7, name: '007', flag: true, list: [1, 2] });
    expect(() => parseParameterArgs(['novalue'], {})).toThrow(/key=value/);
  });

  it('validates with the schema and lists every problem', () => {
    const p = loadParameters(paramsNotebook(withSchema), nbDir);
    expect(validateParameters(p, { n: 5 })).toEqual({ n: 5 });
    let err: any;
    try {
      validateParameters(p, { n: 0, name: 3, typo: 1 });
    } catch (e) {
      err = e;
    }
    expect(err?.code).toBe('E_NOTEBOOK_PARAMS');
    expect(err.message).toMatch(/typo: unknown parameter/);
    try {
      validateParameters(p, { n: 0, name: 3 });
    } catch (e) {
      err = e;
    }
    expect(err.context.problems).toHaveLength(2);
    expect(err.message).toMatch(/^validateParameters: invalid parameters:\n {2}n: /);
  });

  it('without a schema, checks kinds against the defaults', () => {
    const p = loadParameters(paramsNotebook('const params = { n: 1, tags: ["a"] };'), nbDir);
    expect(p.schema).toBeUndefined();
    expect(() => validateParameters(p, { n: 'x' })).toThrow(/n: expected number like the default, got string/);
    expect(() => validateParameters(p, { tags: {} })).toThrow(/expected array/);
    expect(validateParameters(p, { tags: ['b', 'c'] })).toEqual({ tags: ['b', 'c'] });
  });

  it('reports a broken parameters cell and missing params', () => {
    expect(() => loadParameters(paramsNotebook('const params = undefinedThing;'), nbDir)).toThrow(
      /evaluating the parameters cell failed/,
    );
    expect(() => loadParameters(paramsNotebook('const other = 1;'), nbDir)).toThrow(/must declare `const params/);
  });

  it('inserts the injected cell right after the parameters cell, replacing an old one', () => {
    const nb = paramsNotebook('const params = { n: 1 };');
    const p = loadParameters(nb, nbDir);
    insertInjectedCell(nb, p, { n: 2 });
    insertInjectedCell(nb, p, { n: 3 });
    const tagged = nb.cells.filter((c) => c.metadata.tags?.includes('injected-parameters'));
    expect(tagged).toHaveLength(1);
    expect(nb.cells.indexOf(tagged[0])).toBe(2);
    expect((tagged[0].source as string[]).join('')).toContain('void Object.assign(params, {\n  "n": 3\n});');
  });
});

function iopub(type: string, content: object, parent = 'p'): JupyterMessage {
  return {
    identities: [],
    header: { msg_type: type, msg_id: 'm', session: 's', username: 'u', date: '', version: '5.3' },
    parent_header: { msg_id: parent },
    metadata: {},
    content: content as Record<string, unknown>,
    buffers: [],
  };
}

describe('output collection', () => {
  it('merges streams, updates displays across cells, honours clear_output(wait)', () => {
    const c = new OutputCollector();
    const cell1: any[] = [];
    const cell2: any[] = [];
    c.begin(cell1);
    c.apply(iopub('stream', { name: 'stdout', text: 'a' }));
    c.apply(iopub('stream', { name: 'stdout', text: 'b\n' }));
    c.apply(iopub('display_data', { data: { 'text/plain': 'v1' }, metadata: {}, transient: { display_id: 'd' } }));
    c.begin(cell2);
    c.apply(
      iopub('update_display_data', { data: { 'text/plain': 'v2' }, metadata: {}, transient: { display_id: 'd' } }),
    );
    expect(cell1).toEqual([
      { output_type: 'stream', name: 'stdout', text: 'ab\n' },
      { output_type: 'display_data', data: { 'text/plain': 'v2' }, metadata: {} },
    ]);
    expect(cell2).toEqual([]);
    c.apply(iopub('stream', { name: 'stderr', text: 'x' }));
    c.apply(iopub('clear_output', { wait: true }));
    expect(cell2).toHaveLength(1);
    c.apply(iopub('stream', { name: 'stdout', text: 'y' }));
    expect(cell2).toEqual([{ output_type: 'stream', name: 'stdout', text: 'y' }]);
  });

  it('parses tslab stderr for the error name, message and code', () => {
    const stderr =
      "evalmachine.<anonymous>:5\nthrow x\n^\n\nStagebookError: load: path: missing\n    at load (evalmachine.<anonymous>:5:25) {\n  code: 'E_NO_INPUTS',\n  context: {}\n}\n";
    expect(parseTslabStderr(stderr)).toEqual({
      ename: 'StagebookError',
      message: 'load: path: missing',
      code: 'E_NO_INPUTS',
    });
    expect(parseTslabStderr("1:7 - Type 'string' is not assignable to type 'number'.\n")).toEqual({
      message: "1:7 - Type 'string' is not assignable to type 'number'.",
    });
  });
});

describe('events JSONL', () => {
  it('throttles count-only progress per stage, never state changes, flushes on close', () => {
    let now = 0;
    const file = path.join(tmp, 'ev.jsonl');
    const sink = new JsonlEventSink(file, 1000, () => now);
    const progress = (n: number, state = 'running'): void =>
      sink.emit({ type: 'progress', runId: 'r', stage: 's', state, n });
    sink.emit({ type: 'run_start' });
    progress(0);
    now = 10;
    progress(1);
    now = 20;
    progress(2);
    now = 1500;
    progress(3);
    now = 1600;
    progress(4);
    now = 1700;
    sink.emit({ type: 'progress', runId: 'r', stage: 'other', state: 'running', n: 0 });
    now = 1800;
    progress(5);
    now = 1900;
    progress(6, 'succeeded');
    now = 1950;
    progress(7, 'succeeded');
    sink.close();
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => (l.type === 'progress' ? `${l.stage}:${l.state}:${l.n}` : l.type))).toEqual([
      'run_start',
      's:running:0',
      's:running:3',
      'other:running:0',
      's:succeeded:6',
      's:succeeded:7',
    ]);
  });
});

describe('CLI arguments', () => {
  it('parses repeated -p, timeouts in seconds and --opt=value', () => {
    const a = parseRunArgs([
      'nb.ipynb',
      '-p',
      'a=1',
      '--param',
      'b=x=y',
      '-o',
      'out.ipynb',
      '--cell-timeout',
      '2.5',
      '--timeout=60',
      '--events',
      'e.jsonl',
    ]);
    expect(a).toMatchObject({
      input: 'nb.ipynb',
      output: 'out.ipynb',
      params: ['a=1', 'b=x=y'],
      cellTimeoutMs: 2500,
      runTimeoutMs: 60000,
      eventsFile: 'e.jsonl',
    });
    expect(() => parseRunArgs(['nb', '--cell-timeout', '-1'])).toThrow(/positive number/);
    expect(() => parseRunArgs(['nb', '--bogus'])).toThrow(/unknown option --bogus/);
    expect(() => parseRunArgs(['a', 'b', 'c'])).toThrow(/unexpected argument c/);
  });

  it('accepts the papermill command line: positional output, -p NAME VALUE, -y, -f, --cwd, --log-output, progress flags', () => {
    const a = parseRunArgs([
      'in.ipynb',
      'out.ipynb',
      '-p',
      'frames',
      '1000',
      '-p',
      'size=64',
      '-p',
      'label',
      'a=b',
      '-r',
      'tag',
      '007',
      '-y',
      'seed: 3',
      '-f',
      'p.yaml',
      '--cwd',
      '/tmp',
      '--log-output',
      '--no-progress-bar',
      '--execution-timeout',
      '5',
    ]);
    expect(a).toMatchObject({
      input: 'in.ipynb',
      output: 'out.ipynb',
      params: ['frames=1000', 'size=64', 'label=a=b'],
      raw: { tag: '007' },
      paramsYaml: 'seed: 3',
      paramsFile: 'p.yaml',
      cwd: '/tmp',
      logOutput: true,
      progressBar: false,
      cellTimeoutMs: 5000,
    });
    expect(parseRunArgs(['in.ipynb', '--progress-bar']).progressBar).toBe(true);
    expect(parseRunArgs(['in.ipynb']).progressBar).toBeUndefined();
    expect(() => parseRunArgs(['in.ipynb', 'a.ipynb', '-o', 'b.ipynb'])).toThrow(/two output notebooks/);
    expect(() => parseRunArgs(['in.ipynb', '-p', 'frames'])).toThrow(/missing value/);
    expect(() => parseRunArgs(['in.ipynb', '-p', '1x', '3'])).toThrow(/expected NAME VALUE/);
  });
});
