/**
 * Bin maps of corr (configuration.cpp:245-365 BuildQMap): q -> (static bin -> pixels), the valid
 * pixel mask, pixels per static bin and the number of static partitions.
 */
import { StagebookError } from '../../errors/stagebook-error';
import { configUnsupported, type XpcsCorrSettings } from './corr-settings';

export interface CorrBins {
  /** q (ascending) -> static bin (ascending) -> raster pixels. */
  qbins: Map<number, Map<number, number[]>>;
  /** 1 for pixels with dq >= 1 and sq >= 1 (and mask != 0 in the default mode). */
  valid: Uint8Array;
  /** Static bin (1-based) of each valid pixel, 0 elsewhere. */
  sbin: Int32Array;
  /** Number of static partitions S (rows of the partition means). */
  totalStatic: number;
  /** Valid pixels per static bin (index sbin-1), before duplicate removal: the partition-mean denominators. */
  pixelsPerSbin: Int32Array;
  /** Processed q-bins of two-time -> their pixels, static bins in ascending order (QbinPixelList). */
  qbinToPixels: Map<number, number[]>;
}

function group(s: XpcsCorrSettings): {
  qbins: Map<number, Map<number, number[]>>;
  valid: Uint8Array;
  sbin: Int32Array;
  quirkStatic: number;
} {
  const [H, W] = s.shape;
  const valid = new Uint8Array(H * W);
  const sbin = new Int32Array(H * W);
  const qbins = new Map<number, Map<number, number[]>>();
  let quirkStatic = 0;
  const useMask = s.compat === 'none' && s.mask !== null;
  for (let p = 0; p < H * W; p++) {
    const q = s.dqmap[p];
    const sq = s.sqmap[p];
    if (q < 1 || sq < 1 || (useMask && s.mask![p] === 0)) continue;
    valid[p] = 1;
    sbin[p] = sq;
    let m = qbins.get(q);
    // configuration.cpp:273 updates m_totalStaticPartitions only for pixels of a q-bin seen before.
    if (m) quirkStatic = Math.max(quirkStatic, sq);
    else qbins.set(q, (m = new Map()));
    let list = m.get(sq);
    if (!list) m.set(sq, (list = []));
    list.push(p);
  }
  return { qbins, valid, sbin, quirkStatic };
}

/**
 * A static bin under several q-bins is kept in the q-bin with the most of its pixels (first on
 * ties) and erased elsewhere (configuration.cpp:304-345). corr merges into a copy (C:327), so
 * the other q-bins' pixels vanish: reproduced in compat mode; the default mode moves them.
 */
function removeDuplicates(qbins: Map<number, Map<number, number[]>>, compat: boolean): void {
  const owners = new Map<number, number[]>();
  for (const q of qbins.keys()) for (const sb of qbins.get(q)!.keys()) owners.set(sb, [...(owners.get(sb) ?? []), q]);
  for (const [sb, qs] of owners) {
    if (qs.length < 2) continue;
    qs.sort((a, b) => a - b);
    let best = 0;
    let most = 0;
    for (const q of qs) {
      const n = qbins.get(q)!.get(sb)!.length;
      if (n > most) [most, best] = [n, q];
    }
    const dest = qbins.get(best)!.get(sb)!;
    for (const q of qs) {
      if (q === best) continue;
      if (!compat) dest.push(...qbins.get(q)!.get(sb)!);
      qbins.get(q)!.delete(sb);
    }
  }
}

function sortedMap<V>(m: Map<number, V>): Map<number, V> {
  return new Map([...m.keys()].sort((a, b) => a - b).map((k) => [k, m.get(k)!]));
}

export function buildCorrBins(where: string, s: XpcsCorrSettings): CorrBins {
  const compat = s.compat === 'xpcs-eigen';
  const { qbins: raw, valid, sbin, quirkStatic } = group(s);
  if (raw.size === 0) {
    throw new StagebookError('E_EMPTY_INPUT', `${where}: no pixel has both dqmap >= 1 and sqmap >= 1`, {
      where,
      field: 'dqmap',
    });
  }
  let maxStatic = 0;
  for (let p = 0; p < sbin.length; p++) maxStatic = Math.max(maxStatic, sbin[p]);
  const qs = [...raw.keys()].sort((a, b) => a - b);
  // normalizeG2s writes row q-1 of a (number of q-bins)-row matrix (corr.cpp:1033): bins must be 1..Q.
  if (compat && qs[qs.length - 1] !== qs.length) {
    configUnsupported(
      where,
      '/xpcs/dqmap',
      `bins ${qs.slice(0, 5).join(',')}${qs.length > 5 ? ',...' : ''}`,
      'corr writes out of bounds unless the dynamic bins are numbered 1..Q; compat mode cannot reproduce that',
    );
  }
  if (compat && quirkStatic !== maxStatic) {
    configUnsupported(
      where,
      '/xpcs/sqmap',
      `max ${maxStatic}`,
      `corr counts ${quirkStatic} static partitions (configuration.cpp:273) and writes out of bounds; compat mode cannot reproduce that`,
    );
  }
  const pixelsPerSbin = new Int32Array(maxStatic);
  for (let p = 0; p < sbin.length; p++) if (valid[p]) pixelsPerSbin[sbin[p] - 1]++;
  removeDuplicates(raw, compat);
  const qbins = new Map<number, Map<number, number[]>>();
  for (const q of qs) qbins.set(q, sortedMap(raw.get(q)!));
  const qbinToPixels = new Map<number, number[]>();
  for (const [q, m] of qbins) {
    if (!s.qphiBinToProcess.includes(q) || m.size === 0) continue;
    qbinToPixels.set(q, [...m.values()].flat());
  }
  return { qbins, valid, sbin, totalStatic: maxStatic, pixelsPerSbin, qbinToPixels };
}
