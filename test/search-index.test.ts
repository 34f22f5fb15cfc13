/**
 * The embedded search index: field, range and text queries, sorting, re-ingest in place, and the
 * seed's "spoiled keys" type conflicts resolved by the type registry with a warning (never a failed
 * ingest).
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SearchIndex, parseQuery } from '../kernel-lib/src/search';
import { expectStagebookError } from './support/helpers';

let index: SearchIndex | undefined;
afterEach(() => index?.close());

function open(): SearchIndex {
  index = SearchIndex.open(path.join(mkdtempSync(path.join(os.tmpdir(), 'sb-search-')), 'search.db'));
  return index;
}

function seed(ix: SearchIndex): void {
  ix.ingest('xpcs/A001', {
    measurement: { instrument: { acquisition: { root_folder: '/data/2026-2/silica/' } } },
    'exchange.tau_fit': 4.2,
    'sample.name': 'silica spheres',
    'qc.passed': true,
    'exchange.tau': [1, 2, 3],
  });
  ix.ingest('xpcs/A002', {
    'measurement.instrument.acquisition.root_folder': '/data/2026-2/gel/',
    'exchange.tau_fit': 12.5,
    'sample.name': 'agarose gel',
    'qc.passed': false,
  });
  ix.ingest('xpcs/B001', {
    'measurement.instrument.acquisition.root_folder': '/data/2026-1/silica/',
    'exchange.tau_fit': 7,
    'sample.name': 'silica in glycerol',
    'qc.passed': true,
    'exchange.bad': NaN,
  });
}

const subjects = (ix: SearchIndex, q: string, sort?: string): string[] => ix.search(q, { sort }).map((h) => h.subject);

describe('search queries', () => {
  it('select by field, comparison, range, text, boolean logic, and sort', () => {
    const ix = open();
    seed(ix);
    expect(
      subjects(ix, 'measurement.instrument.acquisition.root_folder:"/data/2026-2/silica/" AND exchange.tau_fit < 10'),
    ).toEqual(['xpcs/A001']);
    expect(subjects(ix, 'exchange.tau_fit:[5 TO 13]')).toEqual(['xpcs/A002', 'xpcs/B001']);
    expect(subjects(ix, 'silica')).toEqual(['xpcs/A001', 'xpcs/B001']);
    expect(subjects(ix, '"agarose gel" OR qc.passed:true', '-exchange.tau_fit')).toEqual([
      'xpcs/A002',
      'xpcs/B001',
      'xpcs/A001',
    ]);
    expect(subjects(ix, 'silica AND NOT qc.passed:true')).toEqual([]);
    expect(subjects(ix, 'exchange.tau:3')).toEqual(['xpcs/A001']);
    expect(subjects(ix, 'exchange.bad:0')).toEqual(['xpcs/B001']);
  });

  it('refuses a malformed query naming the position', () => {
    expectStagebookError(() => parseQuery('exchange.tau_fit:[1 TO'), /expected a number at character 23/);
    expectStagebookError(() => parseQuery('(a AND b'), /expected rparen/);
  });
});

describe('ingest', () => {
  it('updates a dataset in place on re-ingest', () => {
    const ix = open();
    seed(ix);
    ix.ingest('xpcs/A001', { 'exchange.tau_fit': 20, 'sample.name': 'silica spheres' });
    expect(ix.count()).toBe(3);
    expect(subjects(ix, 'exchange.tau_fit > 15')).toEqual(['xpcs/A001']);
    expect(subjects(ix, 'qc.passed:true')).toEqual(['xpcs/B001']);
  });

  it('resolves a field whose type changed with a warning, never a failed ingest', () => {
    const ix = open();
    seed(ix);
    const converted = ix.ingest('xpcs/C001', { 'exchange.tau_fit': '3.5' });
    expect(converted.warnings).toEqual([
      { subject: 'xpcs/C001', key: 'exchange.tau_fit', registered: 'number', got: 'string', resolution: 'converted' },
    ]);
    expect(subjects(ix, 'exchange.tau_fit < 4')).toEqual(['xpcs/C001']);
    const textOnly = ix.ingest('xpcs/C002', { 'exchange.tau_fit': 'not fitted', 'sample.name': 17 });
    expect(textOnly.warnings.map((w) => [w.key, w.resolution])).toEqual([
      ['exchange.tau_fit', 'text-only'],
      ['sample.name', 'converted'],
    ]);
    expect(subjects(ix, '"not fitted"')).toEqual(['xpcs/C002']);
    expect(subjects(ix, 'sample.name:"17"')).toEqual(['xpcs/C002']);
    expect(ix.fieldTypes()['exchange.tau_fit']).toEqual({ type: 'number', conflicts: 2 });
  });
});
