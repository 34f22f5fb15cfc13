/**
 * Stage `query` (map, L0): one run request -> the manifest of new frames to fetch. Every active
 * archive and EVERY proposal is queried (the seed overwrote `results` per proposal and kept only
 * the last one; it also left `new_data` undefined when an archive was inactive). Frames are kept
 * as the seed's filter does: OBSTYPE EXPOSE at the image RLEVEL, SPECTRUM at the spectrum RLEVEL
 * (for non-LCO archives, SPECTRUM only when the file name contains 'wecfzst'); duplicates
 * (same basename from two proposals/archives) are kept once.
 */
import { promises as fsp } from 'node:fs';
import { z } from 'zod';
import { displayUrl } from '../../acquisition/attempt';
import { LcoArchiveClient, lcoFrameToRecord } from '../../archives/lco';
import { resolveSecret, type Secret } from '../../config/secrets';
import { defineStage } from '../../engine/stage';
import { StagebookError } from '../../errors/stagebook-error';
import { loadLcoConfig, type LcoArchiveConfig } from './config';

/** A run request (source file of the pipeline). */
export interface LcoRequest {
  config: string;
  start: string;
  end: string;
  createdAt: string;
}

/** A frame to fetch, as the manifest records it (`url` without its query string: see fetch-sort). */
export interface ManifestFrame {
  archive: string;
  id: number;
  basename: string;
  filename: string;
  url: string;
  md5?: string;
  proposal_id: string;
  OBJECT: string;
  INSTRUME: string;
  FILTER: string;
  DAY_OBS: string;
  OBSTYPE: string;
  RLEVEL: number;
  DATE_OBS: string;
}

/** The manifest written by `query`. */
export interface LcoManifest {
  request: LcoRequest;
  queries: Array<{
    archive: string;
    proposal: string;
    level: number;
    found: number;
    kept: number;
    pages: number;
    count?: number;
  }>;
  /** Listing oddities that did not stop the query (count mismatch, duplicates), one sentence each. */
  warnings: string[];
  frames: ManifestFrame[];
}

/** The seed's frame filter. */
export function keepFrame(f: Record<string, unknown>, archive: LcoArchiveConfig, archiveId: string): boolean {
  const obstype = String(f.OBSTYPE ?? f.configuration_type ?? '');
  const rlevel = Number(f.RLEVEL ?? f.reduction_level);
  if (obstype === 'EXPOSE') return rlevel === archive.reduction_level.image;
  if (obstype !== 'SPECTRUM') return false;
  const isLco = archiveId.toLowerCase() === 'lco' || archive.name.toUpperCase() === 'LCO';
  return isLco ? rlevel === archive.reduction_level.spectrum : String(f.filename ?? '').includes('wecfzst');
}

function manifestFrame(archive: string, f: Record<string, unknown>): ManifestFrame {
  const r = lcoFrameToRecord(f);
  return {
    archive,
    id: Number(f.id),
    basename: String(f.basename),
    filename: r.filename,
    url: r.url,
    md5: r.md5,
    proposal_id: String(f.proposal_id ?? f.PROPID),
    OBJECT: String(f.OBJECT ?? f.target_name ?? ''),
    INSTRUME: String(f.INSTRUME ?? f.instrument_id ?? ''),
    FILTER: String(f.FILTER ?? f.primary_optical_element ?? ''),
    DAY_OBS: String(f.DAY_OBS ?? f.observation_day ?? ''),
    OBSTYPE: String(f.OBSTYPE ?? f.configuration_type ?? ''),
    RLEVEL: Number(f.RLEVEL ?? f.reduction_level),
    DATE_OBS: String(f.DATE_OBS ?? f.observation_date ?? ''),
  };
}

/** The archive's token; a missing variable names the archive, the variable and the config file. */
function archiveToken(archive: LcoArchiveConfig, configFile: string): Secret {
  try {
    return resolveSecret(archive.token_envvar);
  } catch (cause) {
    throw new StagebookError(
      'E_SECRET_MISSING',
      `archive ${archive.name}: the environment variable ${archive.token_envvar} (token_envvar in ${configFile}) is not set; export it with the archive token`,
      { where: 'queryArchives', archive: archive.name, envVar: archive.token_envvar, file: configFile },
      { cause },
    );
  }
}

/** Prefixes a query error with the archive, proposal and RLEVEL unless it names them already. */
function namedQueryError(e: unknown, archive: string, proposal: string, level: number): unknown {
  if (!(e instanceof StagebookError) || e.message.startsWith(`archive ${archive} `)) return e;
  return new StagebookError(
    e.code,
    `archive ${archive} proposal ${proposal} RLEVEL ${level}: ${e.message}`,
    { ...e.context, archive, proposal },
    { cause: e },
  );
}

/** Queries every active archive and proposal for a request. */
export async function queryArchives(
  request: LcoRequest,
  signal?: AbortSignal,
  log?: (msg: string) => void,
  warn?: (msg: string) => void,
): Promise<LcoManifest> {
  const { config } = loadLcoConfig(request.config);
  const manifest: LcoManifest = { request, queries: [], frames: [], warnings: [] };
  const seen = new Set<string>();
  for (const [id, archive] of Object.entries(config.archives)) {
    if (!archive.active) {
      log?.(`archive ${archive.name}: inactive, skipped`);
      continue;
    }
    const token = archiveToken(archive, config.file);
    const client = new LcoArchiveClient({
      url: archive.url,
      token,
      name: archive.name,
      policy: config.download,
      signal,
      public: archive.public,
    });
    const levels = [...new Set([archive.reduction_level.image, archive.reduction_level.spectrum])];
    for (const proposal of archive.proposals) {
      for (const level of levels) {
        const listing = await client
          .queryFrames({ proposalId: proposal, start: request.start, end: request.end, reductionLevel: level })
          .catch((e: unknown) => {
            throw namedQueryError(e, archive.name, proposal, level);
          });
        const frames = listing.records;
        const kept = frames.filter((f) => keepFrame(f, archive, id));
        manifest.queries.push({
          archive: archive.name,
          proposal,
          level,
          found: frames.length,
          kept: kept.length,
          pages: listing.pages,
          count: listing.count,
        });
        for (const w of listing.warnings) {
          manifest.warnings.push(`${w} (RLEVEL ${level})`);
          warn?.(`${w} (RLEVEL ${level})`);
        }
        log?.(
          `archive ${archive.name} proposal ${proposal} RLEVEL ${level}: ${frames.length} frames, ${kept.length} kept`,
        );
        for (const f of kept) {
          const key = String(f.basename);
          if (seen.has(key)) continue;
          seen.add(key);
          manifest.frames.push(manifestFrame(archive.name, f));
        }
      }
    }
  }
  return manifest;
}

const requestSchema = z.object({ config: z.string(), start: z.string(), end: z.string(), createdAt: z.string() });

/** Stage `query`. */
export const lcoQueryStage = defineStage<Record<string, never>>({
  name: 'query',
  version: 1,
  kind: 'map',
  level: 'L0',
  product: 'lco-manifest',
  usesCore: false,
  description: 'Queries every active archive and proposal for frames in the request window',
  async run(ctx) {
    const parsed = requestSchema.safeParse(JSON.parse(await fsp.readFile(ctx.input.path, 'utf8')));
    if (!parsed.success)
      throw new StagebookError(
        'E_CONFIG_INVALID',
        `query: ${ctx.input.path} is not an LCO run request (config, start, end, createdAt)`,
        { where: 'query', file: ctx.input.path },
      );
    const manifest = await queryArchives(
      parsed.data,
      ctx.signal,
      (m) => ctx.log.info(m),
      (m) => ctx.log.warn(m),
    );
    const name =
      ctx.input.path
        .split('/')
        .pop()
        ?.replace(/\.json$/, '') ?? 'request';
    // URLs without their query strings: presigned signatures never reach a file (fetch-sort lists again).
    const frames = manifest.frames.map((f) => ({ ...f, url: displayUrl(f.url) }));
    await ctx.writeJson(`lco/manifests/${name}.json`, { ...manifest, frames });
  },
});
