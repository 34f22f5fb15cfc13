/**
 * The versioned resources a STIX run depends on: the newest IDB of the IDB folder and the
 * time-correlation tables in force. STIXCore's `process_tm` reloads SPICE and the configuration
 * before every TM file when newer ones appear; stagebook does the same, and puts their identities
 * into the stage parameters so a new IDB or correlation re-runs exactly the stages it affects
 * (the engine's cache key includes the parameters).
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { StagebookError } from '../../errors/stagebook-error';
import { TimeCorrelation } from './time-correlation';

const IDB_FILE = /^idb_(\d+(?:\.\d+)*)\.sqlite$/;

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The newest `idb_<version>.sqlite` of `dir`. */
export function newestIdb(dir: string): { file: string; version: string } {
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    names = [];
  }
  const found = names
    .map((n) => IDB_FILE.exec(n))
    .filter((m): m is RegExpExecArray => !!m)
    .sort((a, b) => compareVersions(a[1], b[1]));
  const best = found[found.length - 1];
  if (!best)
    throw new StagebookError('E_STIX_IDB', `newestIdb: no idb_<version>.sqlite in ${dir}`, {
      where: 'newestIdb',
      file: dir,
    });
  return { file: path.join(dir, best[0]), version: best[1] };
}

/** Identities of the resources in force (stage parameters). */
export interface StixResources {
  idbFile: string;
  idbVersion: string;
  timeCorrelation: string;
}

/** Resolves the resources of a workspace now. */
export function currentResources(idbDir: string, tcDir: string): StixResources {
  const idb = newestIdb(idbDir);
  return { idbFile: idb.file, idbVersion: idb.version, timeCorrelation: TimeCorrelation.fromDir(tcDir).identity };
}
