/**
 * Publishing view of a STIX file name `solo_{LEVEL}_stix-{type}-{name}_{daterange}_V{NN}{U|C?}[_{rid}-{seq}].{fits|svg}`
 * (STIXCore `publish.py` splits the name on `_`). The ESA name is the first five `_`-fields: SOAR does
 * not know request ids, so two requests of one time range share it.
 */
import path from 'node:path';
import { StagebookError } from '../../../errors/stagebook-error';

/** Parts of a candidate's name. */
export interface PublishName {
  name: string;
  ext: '.fits' | '.svg';
  /** Level as written (`L1`, `LL03`, `ANC`, ...). */
  level: string;
  /** Product class: the second `-` field of parts[2] (`sci`, `ql`, `hk`, `asp`, `cal`). */
  product: string;
  version: number;
  incomplete: boolean;
  /** `solo_L1_stix-sci-xray-spec_20220223T1-20220223T2_V01` (no request id, no extension). */
  esaName: string;
  /** BSD request id (the number before `-` in the sixth field), when present. */
  rid?: number;
}

/**
 * Parses a candidate name. Fixes against STIXCore (each documented in docs/stix.md):
 * the extension is removed by its own length (STIXCore cut 5 characters, so an `.svg` shared the
 * ESA name of the day's FITS), and the version is the digits after `V` (STIXCore's `int()` crashed the
 * whole run on `V01U`/`V01C` when a version filter was set).
 */
export function parsePublishName(file: string): PublishName {
  const name = path.basename(file);
  const ext = name.endsWith('.fits') ? '.fits' : name.endsWith('.svg') ? '.svg' : undefined;
  const parts = ext ? name.slice(0, -ext.length).split('_') : [];
  const v = /^V(\d+)([A-Z]?)$/i.exec(parts[4] ?? '');
  if (!ext || parts.length < 5 || parts[0] !== 'solo' || !v || !parts[2].includes('-')) {
    throw new StagebookError(
      'E_STIX_PUBLISH_NAME',
      `${file}: not a STIX product name solo_LEVEL_stix-TYPE-NAME_DATES_VNN[U][_RID-SEQ].fits|.svg`,
      { where: 'parsePublishName', file },
    );
  }
  const ridField = parts[5]?.split('-')[0];
  return {
    name,
    ext,
    level: parts[1],
    product: parts[2].split('-')[1].toLowerCase(),
    version: Number(v[1]),
    incomplete: v[2].toUpperCase() === 'U' && ext === '.fits',
    esaName: parts.slice(0, 5).join('_'),
    rid: ridField !== undefined && /^\d+$/.test(ridField) ? Number(ridField) : undefined,
  };
}

/** STIXCore `util.get_complete_file_name`: drops the `U` of `_VnnU` (issue 350 there). */
export function completeName(name: string): string {
  return name.replace(/_V(\d+)U([._])/, '_V$1$2');
}

/** The supplement name: `-sup{n}` appended to the product field (parts[2]). */
export function supplementName(name: string, n: number): string {
  const parts = name.split('_');
  parts[2] += `-sup${n}`;
  return parts.join('_');
}

/**
 * The modified ESA name recorded for a supplement: the supplement name without its request-id field
 * (STIXCore: `"_".join(parts[:-1]) + ".fits"`, which assumed a request id is present; a name without
 * one is kept whole here instead of losing its version field).
 */
export function modifiedEsaName(supName: string): string {
  const p = parsePublishName(supName);
  const parts = supName.slice(0, -p.ext.length).split('_');
  return (parts.length > 5 ? parts.slice(0, -1) : parts).join('_') + p.ext;
}
