/**
 * Layout detection and the NeXus-style XPCS result layout written by boost_corr / read by
 * pyXpcsViewer (`fileIO/aps_8idi.py`): a file is legacy if `/xpcs/Version` exists, NeXus if the
 * group `/entry/instrument/bluesky/metadata` exists.
 */
import { withHdf5, type Hdf5Reader } from '../hdf5/reader';

export type XpcsLayout = 'legacy' | 'nexus' | 'unknown';

/** Layout of an open file (see module doc). */
export function xpcsLayoutOf(r: Hdf5Reader): XpcsLayout {
  if (r.has('/xpcs/Version')) return 'legacy';
  if (r.hasGroup('/entry/instrument/bluesky/metadata')) return 'nexus';
  return 'unknown';
}

/** Detects the XPCS layout of `file`. */
export async function detectXpcsLayout(file: string): Promise<XpcsLayout> {
  return withHdf5(file, xpcsLayoutOf, 'detectXpcsLayout');
}

/** NeXus dataset paths, by the key readXpcsNexus returns them under. */
export const XPCS_NEXUS_PATHS = {
  g2: '/xpcs/multitau/normalized_g2',
  g2Err: '/xpcs/multitau/normalized_g2_err',
  delayList: '/xpcs/multitau/delay_list',
  dynamicRoiMap: '/xpcs/qmap/dynamic_roi_map',
  staticRoiMap: '/xpcs/qmap/static_roi_map',
  dynamicVListDim0: '/xpcs/qmap/dynamic_v_list_dim0',
  dynamicVListDim1: '/xpcs/qmap/dynamic_v_list_dim1',
  staticVListDim0: '/xpcs/qmap/static_v_list_dim0',
  staticVListDim1: '/xpcs/qmap/static_v_list_dim1',
  twotimeCorrelationMap: '/xpcs/twotime/correlation_map',
  twotimeG2: '/xpcs/twotime/normalized_g2',
  twotimeG2Segments: '/xpcs/twotime/normalized_g2_segments',
  scattering2d: '/xpcs/temporal_mean/scattering_2d',
  scattering1d: '/xpcs/temporal_mean/scattering_1d',
  intensityVsTime: '/xpcs/spatial_mean/intensity_vs_time',
} as const;

export type XpcsNexusKey = keyof typeof XPCS_NEXUS_PATHS;

/** Numeric NeXus datasets found in a file (absent ones are omitted), with their HDF5 shapes. */
export type XpcsNexusData = Partial<Record<XpcsNexusKey, { data: Float64Array; shape: number[] }>> & {
  /** Datasets under `/xpcs/twotime/correlation_map` when it is a group (one per q bin). */
  correlationMaps?: Record<string, { data: Float64Array; shape: number[] }>;
};

/** Reads the NeXus-layout XPCS results of an open file. */
export function xpcsNexusFrom(r: Hdf5Reader, where = 'readXpcsNexus'): XpcsNexusData {
  const out: XpcsNexusData = {};
  for (const [key, p] of Object.entries(XPCS_NEXUS_PATHS) as Array<[XpcsNexusKey, string]>) {
    if (r.has(p, where)) out[key] = r.readNumeric(p, where);
  }
  const cm = XPCS_NEXUS_PATHS.twotimeCorrelationMap;
  if (r.hasGroup(cm, where)) {
    out.correlationMaps = {};
    for (const p of r.datasetPaths(where).filter((x) => x.startsWith(cm + '/')))
      out.correlationMaps[p.slice(cm.length + 1)] = r.readNumeric(p, where);
  }
  return out;
}

/** Reads the NeXus-layout XPCS results of `file`. */
export async function readXpcsNexus(file: string): Promise<XpcsNexusData> {
  return withHdf5(file, (r) => xpcsNexusFrom(r), 'readXpcsNexus');
}
