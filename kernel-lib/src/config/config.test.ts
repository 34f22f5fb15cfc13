import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseYaml, validateYaml } from './loader';
import { loadStagebookConfig } from './schema';
import { envVarNameSchema, Redactor, resolveSecret } from './secrets';

const archives = z.strictObject({
  archives: z.record(
    z.string(),
    z.strictObject({
      url: z.string().refine((u) => u.startsWith('https://'), { message: 'expected an https URL' }),
      token_envvar: envVarNameSchema,
      proposals: z.array(z.string()).default([]),
    }),
  ),
});

describe('config: YAML + zod with locations', () => {
  it('names file:line:col and the dotted field of a bad value', () => {
    const text = 'archives:\n  lco:\n    url: http://archive-api.lco.global\n    token_envvar: LCO_TOKEN\n';
    const src = parseYaml(text, 'config.yaml');
    expect(() => validateYaml(src, archives)).toThrow(/^config\.yaml:3:10 archives\.lco\.url: expected an https URL$/);
  });

  it('points a missing field at its parent map, and array items by index', () => {
    const src = parseYaml('archives:\n  lco:\n    url: https://x\n    proposals: [A, 7]\n', 'c.yaml');
    let msg = '';
    try {
      validateYaml(src, archives);
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toMatch(/^c\.yaml:3:5 archives\.lco\.token_envvar: /m);
    expect(msg).toMatch(/^c\.yaml:4:20 archives\.lco\.proposals\[1\]: /m);
  });

  it('reports YAML syntax errors with line and column', () => {
    expect(() => parseYaml('a: 1\nb: [1, 2\n', 'bad.yaml')).toThrow(
      expect.objectContaining({
        code: 'E_CONFIG_SYNTAX',
        context: expect.objectContaining({ file: 'bad.yaml', line: expect.any(Number) }),
      }),
    );
  });

  it('refuses a secret value where an environment variable name belongs, without echoing it', () => {
    const token = 'f3a9c1d2e4b5a6978877665544332211';
    const src = parseYaml(`archives:\n  lco:\n    url: https://x\n    token_envvar: ${token}\n`, 'c.yaml');
    let msg = '';
    try {
      validateYaml(src, archives);
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toMatch(/c\.yaml:4:19 archives\.lco\.token_envvar: expected the NAME of an environment variable/);
    expect(msg).not.toContain(token);
  });

  it('keeps secret values out of strings, JSON, inspect and redacted logs', () => {
    const s = resolveSecret('SB_TEST_TOKEN', { SB_TEST_TOKEN: 'hunter2-secret' });
    expect(s.reveal()).toBe('hunter2-secret');
    expect(`${s}`).not.toContain('hunter2');
    expect(JSON.stringify({ s })).not.toContain('hunter2');
    expect(inspect(s)).not.toContain('hunter2');
    const r = new Redactor();
    r.add(s);
    expect(r.redact('auth hunter2-secret ok')).toBe('auth [secret $SB_TEST_TOKEN] ok');
    expect(() => resolveSecret('SB_MISSING', {})).toThrow(
      expect.objectContaining({ code: 'E_SECRET_MISSING', message: expect.stringContaining('SB_MISSING') }),
    );
  });

  it('loads the engine config with defaults and resolves paths against the config file', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-cfg-'));
    const file = path.join(dir, 'sb.yaml');
    writeFileSync(file, 'root: data\nengine:\n  lease: { timeoutMs: 2000, heartbeatMs: 500 }\n');
    const { config } = loadStagebookConfig(file);
    expect(config.root).toBe(path.join(dir, 'data'));
    expect(config.ledger).toBe(path.join(dir, 'data/.stagebook/ledger.db'));
    expect(config.engine).toEqual({
      lease: { timeoutMs: 2000, heartbeatMs: 500 },
      concurrency: 1,
      onError: 'stop',
      verifyOutputs: 'hash',
      busyTimeoutMs: 10000,
    });
    writeFileSync(file, 'root: data\nengine:\n  lease: { timeoutMs: 2000, heartbeatMs: 5000 }\n  concurency: 2\n');
    let msg = '';
    try {
      loadStagebookConfig(file);
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toMatch(/sb\.yaml:3:42 engine\.lease\.heartbeatMs: heartbeatMs must be smaller than timeoutMs/);
    expect(msg).toMatch(/sb\.yaml:2:1 engine: Unrecognized key: "concurency"|sb\.yaml:\d+:\d+ engine: .*concurency/);
  });
});
