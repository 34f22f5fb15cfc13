import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_SETTINGS, readSettings } from './settings';

const schema = JSON.parse(readFileSync(path.join(__dirname, '..', 'schema', 'plugin.json'), 'utf8')) as {
  properties: Record<string, { default: unknown; properties?: Record<string, { default: unknown }> }>;
};

describe('settings', () => {
  it('the JSON schema JupyterLab shows and the zod schema the code reads agree on fields and defaults', () => {
    const fromJson = Object.fromEntries(Object.entries(schema.properties).map(([k, v]) => [k, v.default]));
    expect(fromJson).toEqual(DEFAULT_SETTINGS);
    const vega = schema.properties.vega.properties!;
    expect(Object.fromEntries(Object.entries(vega).map(([k, v]) => [k, v.default]))).toEqual(DEFAULT_SETTINGS.vega);
  });

  it('keeps valid fields and defaults the invalid ones, naming them', () => {
    const { settings, problems } = readSettings({ maxRuns: 0, panelArea: 'left', refreshIntervalMs: 'fast' });
    expect(settings.panelArea).toBe('left');
    expect(settings.maxRuns).toBe(DEFAULT_SETTINGS.maxRuns);
    expect(settings.refreshIntervalMs).toBe(DEFAULT_SETTINGS.refreshIntervalMs);
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['maxRuns', 'refreshIntervalMs']);
  });
});
