/**
 * Stage `fetch-sort` (split, L1): manifest -> downloaded, decompressed frames sorted into their
 * datasets. Frames already `sorted` in lco_frames (and still on disk) are skipped, so a second run
 * downloads nothing; the downloader's cache and ledger make an interrupted run resume.
 * Partial failure is a value here too: failed or refused frames are recorded (lco_frames state
 * `failed`/`refused`, plus a report output) and retried by the next run; the unit itself succeeds
 * so the frames that did arrive are committed.
 * dataset.lock (written by the reduction manager while it reduces a dataset): the frame is
 * decompressed into the download directory and left there (`held`), as the seed leaves it in incoming.
 */
import { existsSync, promises as fsp } from 'node:fs';
import path from 'node:path';
import { Downloader, stableKey, type DownloadItem } from '../../acquisition/downloader';
import type { DownloadPolicyInput } from '../../acquisition/policy';
import { archiveNameProblem, checkArchiveName, escapeForLog, quoteName } from '../../acquisition/names';
import { Redactor, resolveSecret } from '../../config/secrets';
import { defineStage, type StageContext } from '../../engine/stage';
import { StagebookError } from '../../errors/stagebook-error';
import { Ledger } from '../../ledger/ledger';
import { moveFile } from '../../workdirs/move';
import { loadLcoConfig, type LcoConfig } from './config';
import { LcoFrameTable } from './frames-table';
import { queryArchives, type LcoManifest, type ManifestFrame } from './query';
import { datasetDir, decompressFz, readFrameFacts } from './sort';

/** What fetch-sort reports per frame. */
export interface FrameOutcome {
  basename: string;
  state: 'sorted' | 'held' | 'failed' | 'refused' | 'skipped';
  dataset?: string;
  code?: string;
  message?: string;
}

/** The workspace ledger (option `ledger`, else `<root>/.stagebook/ledger.db`). */
export function ledgerOf(ctx: StageContext<unknown>): Ledger {
  const file =
    typeof ctx.options.ledger === 'string' ? ctx.options.ledger : path.join(ctx.root, '.stagebook', 'ledger.db');
  return Ledger.open(file);
}

function redactorFor(config: LcoConfig): Redactor {
  const r = new Redactor();
  for (const a of Object.values(config.archives)) if (process.env[a.token_envvar]) r.add(resolveSecret(a.token_envvar));
  return r;
}

/**
 * The downloader policy of LCO frames: the config's, with `retryAfterScope: 'url'` unless it says
 * otherwise. Frame URLs are presigned object-store URLs, signed one by one: a 429 on one object
 * must not hold every other frame of the run (the listing API keeps the host-wide default).
 */
export function downloadPolicy(config: LcoConfig): DownloadPolicyInput {
  return { ...config.download, retry: { retryAfterScope: 'url', ...config.download?.retry } };
}

/** Places one downloaded frame: decompress, sort (or hold), record. */
async function placeFrame(
  ctx: StageContext<unknown>,
  config: LcoConfig,
  table: LcoFrameTable,
  frame: ManifestFrame,
  file: string,
): Promise<FrameOutcome> {
  checkArchiveName(frame.filename, 'fetch-sort'); // the downloader refused unsafe names already; paths below rely on it
  const plainName = frame.filename.replace(/\.fz$/, '');
  const tmpPlain = path.join(config.downloadDir, `.${plainName}.decompress-${process.pid}`);
  const base = {
    basename: frame.basename,
    archive: frame.archive,
    proposal_id: frame.proposal_id,
    frame_id: frame.id,
    md5: frame.md5 ?? null,
    run_id: ctx.runId,
    obstype: frame.OBSTYPE,
  };
  if (!/\.(fits|fts)(\.fz)?$/i.test(frame.filename)) {
    const unused = path.join(config.downloadDir, 'unused', frame.filename);
    await moveFile(file, unused);
    table.upsert({
      ...base,
      target: frame.OBJECT,
      instrument: frame.INSTRUME,
      filter: frame.FILTER,
      day_obs: frame.DAY_OBS,
      dataset: null,
      path: unused,
      state: 'failed',
      error_code: 'E_LCO_UNUSED',
      error_message: 'not a FITS file: moved to unused/',
    });
    return { basename: frame.basename, state: 'failed', code: 'E_LCO_UNUSED', message: 'moved to unused/' };
  }
  let facts;
  try {
    if (frame.filename.endsWith('.fz')) facts = decompressFz(file, tmpPlain);
    else {
      await fsp.copyFile(file, tmpPlain);
      facts = readFrameFacts(tmpPlain);
    }
  } catch (e) {
    await fsp.rm(tmpPlain, { force: true });
    const unused = path.join(config.downloadDir, 'unused', frame.filename);
    await moveFile(file, unused);
    const err = e as StagebookError;
    table.upsert({
      ...base,
      target: frame.OBJECT,
      instrument: frame.INSTRUME,
      filter: frame.FILTER,
      day_obs: frame.DAY_OBS,
      dataset: null,
      path: unused,
      state: 'failed',
      error_code: err.code ?? 'E_FORMAT',
      error_message: err.message,
    });
    return { basename: frame.basename, state: 'failed', code: err.code ?? 'E_FORMAT', message: err.message };
  }
  const dataset = datasetDir(facts);
  const datasetAbs = path.join(config.reductionDir, dataset);
  const locked = existsSync(path.join(datasetAbs, 'dataset.lock'));
  const dest = locked ? path.join(config.downloadDir, plainName) : path.join(datasetAbs, plainName);
  await moveFile(tmpPlain, ctx.output(dest, { product: locked ? 'lco-held-frame' : 'lco-frame' }));
  await fsp.rm(file, { force: true }); // the .fz in incoming (a link to the cache) is no longer needed
  table.upsert({
    ...base,
    target: facts.object,
    instrument: facts.instrume,
    filter: facts.filter,
    day_obs: facts.dayObs,
    dataset,
    path: dest,
    state: locked ? 'held' : 'sorted',
    error_code: null,
    error_message: null,
  });
  ctx.log.info(
    `${escapeForLog(frame.basename)}: ${locked ? `held (dataset.lock in ${dataset})` : `sorted into ${dataset}`}`,
  );
  return { basename: frame.basename, state: locked ? 'held' : 'sorted', dataset };
}

/** Records a frame that was not delivered (ledger row, warning, outcome). */
function recordFailure(
  ctx: StageContext<unknown>,
  table: LcoFrameTable,
  f: ManifestFrame,
  state: 'failed' | 'refused',
  code: string,
  message: string,
): FrameOutcome {
  table.upsert({
    basename: f.basename,
    archive: f.archive,
    proposal_id: f.proposal_id,
    frame_id: f.id,
    target: f.OBJECT,
    instrument: f.INSTRUME,
    filter: f.FILTER,
    day_obs: f.DAY_OBS,
    obstype: f.OBSTYPE,
    dataset: null,
    path: null,
    md5: f.md5 ?? null,
    state,
    error_code: code,
    error_message: message,
    run_id: ctx.runId,
  });
  ctx.log.warn(`${escapeForLog(f.basename)}: ${state}: ${code}: ${escapeForLog(message)}`);
  return { basename: f.basename, state, code, message };
}

/**
 * The frames of the manifest's window as the archive lists them NOW, by basename: the manifest keeps
 * URLs without their query strings (presigned signatures must not sit in log files, and they expire),
 * so download URLs (and md5s, which may have changed) are taken from a fresh listing.
 */
async function freshFrames(ctx: StageContext<unknown>, manifest: LcoManifest): Promise<Map<string, ManifestFrame>> {
  const listing = await queryArchives(manifest.request, ctx.signal, (m) =>
    ctx.log.info(`listing again for signed URLs: ${m}`),
  );
  return new Map(listing.frames.map((f) => [f.basename, f]));
}

/** Stage `fetch-sort`. */
export const lcoFetchSortStage = defineStage<Record<string, never>>({
  name: 'fetch-sort',
  version: 1,
  kind: 'split',
  level: 'L1',
  product: 'lco-frame',
  usesCore: false,
  after: ['query'],
  description: 'Downloads new frames (verified, resumable), decompresses .fz and sorts them into datasets',
  async run(ctx) {
    const manifest = JSON.parse(await fsp.readFile(ctx.input.path, 'utf8')) as LcoManifest;
    const { config } = loadLcoConfig(manifest.request.config);
    const ledger = ledgerOf(ctx);
    const table = new LcoFrameTable(ledger);
    const outcomes: FrameOutcome[] = [];
    try {
      const todo = manifest.frames.filter((f) => {
        const row = table.get(f.basename);
        const done = row?.state === 'sorted' && row.path !== null && existsSync(row.path);
        if (done) outcomes.push({ basename: f.basename, state: 'skipped', dataset: row?.dataset ?? undefined });
        return !done;
      });
      ctx.log.info(`${manifest.frames.length} frames in the manifest, ${todo.length} to fetch`);
      // Unsafe names are refused here already (the downloader would refuse them too): no listing for them.
      const safe = todo.filter((f) => {
        const problem = archiveNameProblem(f.filename);
        if (problem !== undefined)
          outcomes.push(
            recordFailure(
              ctx,
              table,
              f,
              'refused',
              'E_UNSAFE_NAME',
              `archive file name ${quoteName(f.filename)} refused: ${problem}`,
            ),
          );
        return problem === undefined;
      });
      const fresh = safe.length > 0 ? await freshFrames(ctx, manifest) : new Map<string, ManifestFrame>();
      const fetchable: ManifestFrame[] = [];
      for (const f of safe) {
        if (fresh.has(f.basename)) fetchable.push(f);
        else
          outcomes.push(
            recordFailure(
              ctx,
              table,
              f,
              'failed',
              'E_LCO_UNLISTED',
              `${f.archive} no longer lists frame ${f.id} for this window; it is retried by the next run`,
            ),
          );
      }
      const items: DownloadItem[] = fetchable.map((f) => {
        const signed = fresh.get(f.basename) as ManifestFrame;
        return {
          url: signed.url,
          key: stableKey(signed.url),
          archiveName: f.filename,
          dest: f.filename,
          md5: signed.md5,
        };
      });
      const downloader = new Downloader({
        cacheDir: path.join(config.downloadDir, '.cache'),
        dataRoot: config.downloadDir,
        policy: downloadPolicy(config),
        ledger,
        runId: ctx.runId,
        signal: ctx.signal,
        redactor: redactorFor(config),
        onProgress: (s) =>
          ctx.progress(
            s.filesDone + s.filesFailed,
            s.filesTotal,
            `download ${s.filesDone + s.filesFailed}/${s.filesTotal}`,
          ),
      });
      const result = await downloader.fetchAll(items).finally(() => downloader.close());
      const byKey = new Map(fetchable.map((f, i) => [items[i], f]));
      for (const fail of result.failed) {
        const f = byKey.get(fail.item) as ManifestFrame;
        outcomes.push(
          recordFailure(
            ctx,
            table,
            f,
            fail.code === 'E_PATH_ESCAPE' || fail.code === 'E_UNSAFE_NAME' ? 'refused' : 'failed',
            fail.code,
            fail.message,
          ),
        );
      }
      let n = 0;
      for (const ok of result.ok) {
        const f = byKey.get(ok.item) as ManifestFrame;
        outcomes.push(await placeFrame(ctx, config, table, f, ok.dest as string));
        ctx.progress(++n, result.ok.length, `sorted ${n}/${result.ok.length}`);
      }
    } finally {
      ledger.close();
    }
    const name = path.basename(ctx.input.path, '.json');
    await ctx.writeJson(
      `reports/${name}.json`,
      { manifest: path.basename(ctx.input.path), outcomes },
      { product: 'lco-fetch-report', level: 'L1' },
    );
  },
});
