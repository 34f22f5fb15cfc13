/**
 * One image_data_availability row for tests: a good AIA 94 image at `time_stamp` (default
 * 2011-02-08T21:11:00Z) with one DBSCAN cluster; `o` overrides any column.
 */
import type { ImageDataRow } from './image-db';

export const IMAGE_ROW_T0 = 1297199460; // 2011-02-08T21:11:00Z

export function imageDataRow(o: Partial<ImageDataRow> & { url: string }): ImageDataRow {
  return {
    download_string: null,
    time_stamp: IMAGE_ROW_T0,
    data_level: 'lev2',
    file_name: o.url,
    exp_time: 2,
    file_size_MB: 1,
    QUALITY: 0,
    wavelength: '94',
    instrument: 'AIA',
    file_path: `/d/${o.url}`,
    wget_log_file: null,
    download_speed: null,
    cached_dict_path: null,
    telescope: 'SDO',
    img_data_max: 1,
    img_data_min: 0,
    img_flux: 10,
    peakfinder_time_1: 0.1,
    dbscan_time_1: 0.01,
    cleaning_time_1: 1,
    peaks_found: 1,
    dbscan_1_x_hpc: 100,
    dbscan_1_y_hpc: 200,
    dbscan_1_x_pix: 0,
    dbscan_1_y_pix: 0,
    dbscan_1_num_members: 3,
    dbscan_1_label: 0,
    ...o,
  };
}
