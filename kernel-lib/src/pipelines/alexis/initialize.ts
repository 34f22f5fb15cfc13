/**
 * Stage 2 of ALEXIS (`ALEXIS_02_create_initialize_files.py`, "initialize files"): every downloaded
 * image (all flares, as ALEXIS globs every `.downloaded`) is cleaned and peak-found in a pool of
 * worker threads (`concurrency`, default the number of cores; ALEXIS: multiprocess=8), and its rows
 * go into image_data_availability (one writer: this thread, as ALEXIS's jobs_limit(1) insert).
 * Images whose URL already has rows are skipped, so a rerun processes nothing new.
 */
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { runInWorkers } from '../../numeric/parallel/pool';
import { StagebookError } from '../../errors/stagebook-error';
import { listDownloadedRecords } from './download';
import { ImageDataAvailability, type ImageDataRow } from './image-db';
import { initializeImage, type InitializePayload } from './initialize-task';

const TASK = path.join(__dirname, 'initialize-task.ts');

export const initializeOptionsSchema = z.strictObject({
  mainDataDir: z.string().min(1).describe('MAIN_DATA_DIR (image_data/downloaded/ holds the download records)'),
  database: z.string().min(1).describe('image_data_availability.db'),
  degradationTable: z.string().min(1).describe('CSV channel,time,factor (aiapy correct_degradation)'),
  effectiveAreaTable: z.string().min(1).describe('CSV channel,eff_area,dn_gain'),
  concurrency: z
    .number()
    .int()
    .min(1)
    .max(64)
    .default(availableParallelism())
    .describe('Worker threads (1 = in this thread)'),
  thresholdRel: z.number().gt(0).max(1).default(0.9).describe('peak_local_max threshold_rel (ALEXIS: 0.9)'),
  reprocess: z
    .boolean()
    .default(false)
    .describe('Process images that already have rows again (their rows are replaced)'),
  batch: z.number().int().min(1).default(32).describe('Images per database transaction'),
});
export type InitializeOptions = z.input<typeof initializeOptionsSchema>;

export interface InitializeProgress {
  done: number;
  total: number;
  instrument: string;
  QUALITY: number;
}
export interface InitializeResult {
  images: number;
  processed: number;
  skipped: number;
  rows: number;
  elapsedMs: number;
}

/** Runs stage 2 over every downloaded image not yet in the database. */
export async function initializeFiles(
  options: InitializeOptions,
  onProgress?: (p: InitializeProgress) => void,
): Promise<InitializeResult> {
  const parsed = initializeOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new StagebookError('E_INVALID_ARGUMENT', `initializeFiles: ${i.path.join('.') || 'options'}: ${i.message}`, {
      where: 'initializeFiles',
      field: i.path.join('.'),
    });
  }
  const o = parsed.data;
  const started = Date.now();
  const records = listDownloadedRecords(o.mainDataDir);
  const db = new ImageDataAvailability(o.database);
  try {
    const known = o.reprocess ? new Set<string>() : db.urls();
    const todo = records.filter((r) => !known.has(r.url));
    let rows = 0;
    let done = 0;
    for (let i = 0; i < todo.length; i += o.batch) {
      const payloads: InitializePayload[] = todo.slice(i, i + o.batch).map((record) => ({
        record,
        degradationTable: o.degradationTable,
        effectiveAreaTable: o.effectiveAreaTable,
        thresholdRel: o.thresholdRel,
      }));
      const results: ImageDataRow[][] =
        o.concurrency === 1
          ? payloads.map((p) => initializeImage(p))
          : await runInWorkers<InitializePayload, ImageDataRow[]>(TASK, 'initializeImage', payloads, {
              threads: o.concurrency,
            });
      db.replaceImages(results);
      for (const r of results) {
        rows += r.length;
        onProgress?.({
          done: ++done,
          total: todo.length,
          instrument: String(r[0].instrument),
          QUALITY: Number(r[0].QUALITY),
        });
      }
    }
    return {
      images: records.length,
      processed: todo.length,
      skipped: records.length - todo.length,
      rows,
      elapsedMs: Date.now() - started,
    };
  } finally {
    db.close();
  }
}
