/**
 * A ready-to-run simulated STIX workspace: `stix.yaml`, the simulated IDB, time-correlation tables
 * (predicted at once, definitive later) and an incoming folder to deliver EDDS files into.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SCET_EPOCH_MS } from '../../pipelines/stix/products';
import { timeCorrelationFileName, type TimeCorrelationTable } from '../../pipelines/stix/time-correlation';
import { writeSimulatedIdb } from './sim-idb';

/** The simulated clock: UTC of SCET under the definitive correlation (a 0.5 s offset drifting 20 ppm). */
export function simulatedUtcMs(scet: number, kind: 'predicted' | 'definitive' = 'definitive'): number {
  const drift = 500 + 0.02 * (scet - 700_000_000);
  // the predicted correlation is 150 ms off, the size of a real prediction error
  return SCET_EPOCH_MS + scet * 1000 + drift + (kind === 'predicted' ? 150 : 0);
}

/** SCET of a UTC instant under the simulated definitive correlation (inverse of simulatedUtcMs). */
export function scetOfUtc(utcMs: number): number {
  return (utcMs - SCET_EPOCH_MS - 500 + 0.02 * 700_000_000) / 1000.02;
}

/** Writes a time-correlation table covering [fromScet, toScet] with hourly points. */
export function writeTimeCorrelation(
  dir: string,
  kind: 'predicted' | 'definitive',
  version: number,
  fromScet: number,
  toScet: number,
): string {
  mkdirSync(dir, { recursive: true });
  const points: Array<[number, number]> = [];
  for (let s = fromScet; s < toScet; s += 3600) points.push([s, simulatedUtcMs(s, kind)]);
  points.push([toScet, simulatedUtcMs(toScet, kind)]);
  const table: TimeCorrelationTable = { kind, version, points };
  const file = path.join(dir, timeCorrelationFileName(kind, version));
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(table));
  renameSync(tmp, file);
  return file;
}

/** Options of a simulated workspace. */
export interface StixWorkspaceOptions {
  /** Extra `options.service` fields (e.g. statusPort: 0). */
  service?: Record<string, unknown>;
  monitor?: Record<string, unknown>;
  /** Engine lease (short in tests so a killed service's run goes stale quickly). */
  lease?: { timeoutMs: number; heartbeatMs: number };
  onError?: 'stop' | 'continue';
}

/** Creates `dir/stix.yaml`, `dir/ws/idb/idb_2.26.35.sqlite`, `dir/ws/incoming/`; returns the paths. */
export function createStixWorkspace(
  dir: string,
  o: StixWorkspaceOptions = {},
): { config: string; root: string; incoming: string; idbDir: string; tcDir: string } {
  const root = path.join(dir, 'ws');
  const incoming = path.join(root, 'incoming');
  const idbDir = path.join(root, 'idb');
  const tcDir = path.join(root, 'timecorr');
  for (const d of [incoming, idbDir, tcDir]) mkdirSync(d, { recursive: true });
  writeSimulatedIdb(path.join(idbDir, 'idb_2.26.35.sqlite'));
  const yaml = {
    root: 'ws',
    inputs: { dir: 'incoming', pattern: '*PktTmRaw*.xml' },
    engine: { onError: o.onError ?? 'continue', ...(o.lease ? { lease: o.lease } : {}) },
    options: {
      fitsDir: 'fits',
      idbDir: 'idb',
      timeCorrelationDir: 'timecorr',
      service: { statusPort: 0, ...o.service },
      ...(o.monitor ? { monitor: o.monitor } : {}),
    },
  };
  const config = path.join(dir, 'stix.yaml');
  // JSON is valid YAML: no YAML writer needed
  writeFileSync(config, JSON.stringify(yaml, null, 2) + '\n');
  return { config, root, incoming, idbDir, tcDir };
}
