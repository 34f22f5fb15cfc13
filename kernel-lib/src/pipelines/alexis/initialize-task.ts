/**
 * Worker task of stage 2 (runs in worker_threads through numeric/parallel/pool): clean one
 * downloaded image and run the single-image peak finder on it, returning its
 * image_data_availability rows. Calibration tables are read once per worker.
 */
import {
  readDegradationTable,
  readEffectiveAreaTable,
  type DegradationTable,
  type EffectiveAreaTable,
} from './calibration';
import { cleanAia } from './clean-aia';
import { cleanSxi } from './clean-sxi';
import type { CleanResult } from './clean-types';
import type { DownloadedRecord } from './download';
import type { ImageDataRow } from './image-db';
import { epsPixels, singleImagePeakfinder, type PeakRow } from './peaks';

/** One unit of stage 2. */
export interface InitializePayload {
  record: DownloadedRecord;
  degradationTable: string;
  effectiveAreaTable: string;
  thresholdRel: number;
}

const tables = new Map<string, { degradation: DegradationTable; area: EffectiveAreaTable }>();

function tablesOf(p: InitializePayload): { degradation: DegradationTable; area: EffectiveAreaTable } {
  const key = `${p.degradationTable}\n${p.effectiveAreaTable}`;
  let t = tables.get(key);
  if (!t) {
    t = { degradation: readDegradationTable(p.degradationTable), area: readEffectiveAreaTable(p.effectiveAreaTable) };
    tables.set(key, t);
  }
  return t;
}

const NO_PEAKS: Omit<PeakRow, 'peakfinder_time_1'> = {
  peaks_found: false,
  dbscan_1_x_hpc: NaN,
  dbscan_1_y_hpc: NaN,
  dbscan_1_x_pix: NaN,
  dbscan_1_y_pix: NaN,
  dbscan_1_num_members: NaN,
  dbscan_1_label: NaN,
  dbscan_time_1: NaN,
};

/** Cleans + peak-finds one image (the rows of its URL). */
export function initializeImage(p: InitializePayload): ImageDataRow[] {
  const r = p.record;
  const t0 = performance.now();
  let cleaned: CleanResult;
  if (r.instrument === 'AIA') {
    const t = tablesOf(p);
    cleaned = cleanAia(r.file_path, t.degradation, t.area);
  } else {
    cleaned = cleanSxi(r.file_path, r.telescope);
  }
  const cleaningTime = (performance.now() - t0) / 1000;
  const peaks: PeakRow[] =
    cleaned.QUALITY === 0 && cleaned.image
      ? singleImagePeakfinder(cleaned.image, epsPixels(r.instrument, cleaned.image.cdelt1), p.thresholdRel)
      : [{ ...NO_PEAKS, peakfinder_time_1: NaN }];
  return peaks.map((pk) => ({
    download_string: r.download_string,
    time_stamp: r.time_stamp,
    data_level: cleaned.data_level,
    file_name: r.file_name,
    exp_time: cleaned.exp_time,
    file_size_MB: r.file_size_MB,
    QUALITY: cleaned.QUALITY,
    wavelength: cleaned.wavelength,
    url: r.url,
    instrument: r.instrument,
    file_path: r.file_path,
    wget_log_file: null,
    download_speed: null,
    cached_dict_path: r.cached_dict_path,
    telescope: cleaned.telescope,
    img_data_max: cleaned.img_data_max,
    img_data_min: cleaned.img_data_min,
    img_flux: cleaned.img_flux,
    cleaning_time_1: cleaningTime,
    ...pk,
  }));
}
