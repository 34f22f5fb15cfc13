/** Schemas of the step 12 and 16 files (catalogue-files.ts lists every file of steps 8-16). */
import { z } from 'zod';
import { provenanceSchema } from './catalogue-files';

const knownFlareRowSchema = z.strictObject({
  kb_archivid: z.string(),
  event_starttime: z.string(),
  event_peaktime: z.string().nullable(),
  event_endtime: z.string(),
  fl_goescls: z.string().nullable(),
  hpc_x: z.number(),
  hpc_y: z.number(),
  ar_noaanum: z.number().nullable(),
  frm_name: z.string(),
});

export const knownFlaresFileSchema = z.strictObject({
  workingDir: z.string(),
  fromMs: z.number(),
  toMs: z.number(),
  rows: z.array(knownFlareRowSchema),
  provenance: provenanceSchema,
});

const harpSpanSchema = z.strictObject({
  HARPNUM: z.number(),
  NOAA_AR: z.number(),
  NOAA_ARS: z.string(),
  latMin: z.number(),
  latMax: z.number(),
  lonMin: z.number(),
  lonMax: z.number(),
  hpcPolygon: z.array(z.tuple([z.number(), z.number()])),
});

export const harpSpanFileSchema = z.strictObject({
  workingDir: z.string(),
  /** The HARP query window that first returned records (null: none within 1400 min). */
  drms_query_time: z.number().nullable(),
  rsunArcsec: z.number(),
  spans: z.array(harpSpanSchema),
  provenance: provenanceSchema,
});

const reportRowSchema = z.strictObject({
  event_date: z.string().nullable(),
  peak_time: z.string().nullable(),
  goes_class: z.string().nullable(),
  AR_num: z.array(z.number()),
  hpc_x: z.number(),
  hpc_y: z.number(),
  hpc_bbox_poly: z.array(z.tuple([z.number(), z.number()])).nullable(),
  id_team: z.string(),
  HARPNUM: z.array(z.number()),
  search_instrument: z.string().nullable(),
  final_cluster_label: z.number().nullable(),
  peak_flux: z.number().nullable(),
  working_dir: z.string(),
  run_id: z.string().nullable(),
  stage_versions: z.record(z.string(), z.number()).nullable(),
  params: z.record(z.string(), z.unknown()).nullable(),
});

export const reportFileSchema = z.strictObject({
  workingDir: z.string(),
  rows: z.array(reportRowSchema),
  provenance: provenanceSchema,
});
