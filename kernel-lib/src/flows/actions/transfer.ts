/**
 * The transfer action (the seed's Globus Transfer steps): copies `transfer_items` from a source
 * endpoint to a destination endpoint. Per file: skipped when the destination already holds the same
 * bytes (size and sha256: idempotent), else copied to `<dest>.sbpart`, resumed from that partial when
 * its bytes are a prefix of the source (a killed transfer loses nothing it wrote), verified by sha256
 * and renamed into place (atomic). HTTP sources go through the downloader (its cache, Range resume
 * and checksums). Every destination must lie inside the destination endpoint and the write roots.
 */
import { createHash } from 'node:crypto';
import {
  createReadStream,
  existsSync,
  mkdirSync,
  openSync,
  closeSync,
  readSync,
  writeSync,
  fsyncSync,
  renameSync,
  statSync,
} from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { downloadAll } from '../../acquisition/downloader';
import { StagebookError } from '../../errors/stagebook-error';
import { isInside } from '../../workdirs/confine';
import { endpointOf, type FlowEndpoint } from '../config';
import { parseActionInput, type ActionContext, type FlowAction } from './types';

const item = z
  .object({
    source_path: z.string().min(1),
    destination_path: z.string().min(1),
    recursive: z.boolean().default(false),
  })
  .strict();
export const transferInput = z
  .object({
    source_endpoint: z.string(),
    destination_endpoint: z.string(),
    transfer_items: z.array(item).min(1),
    /** Verify each copy by sha256 (default true; Globus' verify_checksum). */
    verify_checksum: z.boolean().default(true),
  })
  .strict();
export type TransferInput = z.output<typeof transferInput>;

export interface TransferredFile {
  source: string;
  destination: string;
  bytes: number;
  sha256: string;
  status: 'copied' | 'resumed' | 'skipped' | 'downloaded';
}

const CHUNK = 1 << 20;

async function sha256File(file: string, limit = Infinity): Promise<string> {
  const h = createHash('sha256');
  if (limit > 0) {
    for await (const chunk of createReadStream(file, limit === Infinity ? {} : { end: limit - 1 }))
      h.update(chunk as Buffer);
  }
  return h.digest('hex');
}

function inEndpoint(e: FlowEndpoint, rel: string, field: string): string {
  if (e.kind !== 'dir')
    throw new StagebookError('E_FLOW_INPUT', `${field}: endpoint is HTTP; only a directory endpoint can be written`, {
      field,
    });
  const abs = path.resolve(e.path, rel.replace(/^\/+/, ''));
  if (!isInside(e.path, abs))
    throw new StagebookError('E_PATH_ESCAPE', `${field}: ${JSON.stringify(rel)} leaves the endpoint ${e.path}`, {
      field,
      path: rel,
    });
  return abs;
}

/** Expands the items into (source, destination) file pairs, walking recursive directory items. */
async function expand(
  input: TransferInput,
  src: FlowEndpoint,
  dst: FlowEndpoint,
): Promise<Array<{ source: string; destination: string }>> {
  const pairs: Array<{ source: string; destination: string }> = [];
  for (const [i, it] of input.transfer_items.entries()) {
    const destination = inEndpoint(dst, it.destination_path, `transfer_items[${i}].destination_path`);
    if (src.kind === 'http') {
      pairs.push({
        source: new URL(it.source_path.replace(/^\/+/, ''), src.url.endsWith('/') ? src.url : `${src.url}/`).href,
        destination,
      });
      continue;
    }
    const source = inEndpoint(src, it.source_path, `transfer_items[${i}].source_path`);
    if (!existsSync(source))
      throw new StagebookError('E_FILE_NOT_FOUND', `transfer_items[${i}].source_path: ${source} does not exist`, {
        field: 'source_path',
        path: source,
      });
    if (statSync(source).isDirectory()) {
      if (!it.recursive)
        throw new StagebookError(
          'E_FLOW_INPUT',
          `transfer_items[${i}]: ${source} is a directory; set recursive: true`,
          { field: 'recursive' },
        );
      for (const rel of await walk(source))
        pairs.push({ source: path.join(source, rel), destination: path.join(destination, rel) });
    } else {
      pairs.push({ source, destination });
    }
  }
  return pairs;
}

async function walk(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const d of (await readdir(path.join(dir, prefix), { withFileTypes: true })).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    const rel = path.join(prefix, d.name);
    if (d.isDirectory()) out.push(...(await walk(dir, rel)));
    else if (d.isFile()) out.push(rel);
  }
  return out;
}

async function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return;
  await new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });
}

/** Copies one file with partial resume and an optional bandwidth cap. */
async function copyFile(
  source: string,
  destination: string,
  ctx: ActionContext,
  rate: number | undefined,
  verify: boolean,
): Promise<TransferredFile> {
  const size = statSync(source).size;
  const sourceSha = await sha256File(source);
  if (existsSync(destination) && statSync(destination).size === size && (await sha256File(destination)) === sourceSha) {
    return { source, destination, bytes: size, sha256: sourceSha, status: 'skipped' };
  }
  mkdirSync(path.dirname(destination), { recursive: true });
  const part = `${destination}.sbpart`;
  let offset = 0;
  if (existsSync(part)) {
    const have = Math.min(statSync(part).size, size);
    // Resume only when the partial is exactly a prefix of the source (same bytes), else restart.
    if (have > 0 && (await sha256File(part, have)) === (await sha256File(source, have))) offset = have;
  }
  const fdIn = openSync(source, 'r');
  const fdOut = openSync(part, offset > 0 ? 'r+' : 'w');
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    const started = Date.now();
    let copied = 0;
    for (let pos = offset; pos < size;) {
      if (ctx.signal.aborted)
        throw new StagebookError('E_ABORTED', `transfer of ${source} was aborted`, { path: source });
      const n = readSync(fdIn, buf, 0, Math.min(CHUNK, size - pos), pos);
      writeSync(fdOut, buf, 0, n, pos);
      pos += n;
      copied += n;
      if (rate) await sleep((copied / rate) * 1000 - (Date.now() - started), ctx.signal);
    }
    fsyncSync(fdOut);
  } finally {
    closeSync(fdIn);
    closeSync(fdOut);
  }
  // verify_checksum (Globus' name): re-read the copy and compare; false trusts the local copy.
  const got = verify ? await sha256File(part) : sourceSha;
  if (got !== sourceSha) {
    throw new StagebookError(
      'E_DOWNLOAD_CHECKSUM',
      `transfer: ${destination} has sha256 ${got}, source ${source} has ${sourceSha}`,
      { path: destination },
    );
  }
  renameSync(part, destination);
  return { source, destination, bytes: size, sha256: sourceSha, status: offset > 0 ? 'resumed' : 'copied' };
}

async function runTransfer(raw: unknown, ctx: ActionContext): Promise<unknown> {
  const input = parseActionInput(transferInput, raw, 'transfer', ctx.state);
  const src = endpointOf(ctx.env, input.source_endpoint, 'source_endpoint');
  const dst = endpointOf(ctx.env, input.destination_endpoint, 'destination_endpoint');
  const pairs = await expand(input, src, dst);
  for (const p of pairs) ctx.env.guard.resolve(p.destination, `${ctx.state}: transfer destination`);
  const files: TransferredFile[] = [];
  if (src.kind === 'http') {
    // Through the downloader: content-addressed cache next to the ledger, Range resume, checksums.
    const dataRoot = (dst as { path: string }).path;
    const r = await downloadAll(
      pairs.map((p) => ({ url: p.source, dest: path.relative(dataRoot, p.destination) })),
      { cacheDir: path.join(path.dirname(ctx.env.ledger), 'cache'), dataRoot, signal: ctx.signal },
    );
    if (r.failed.length > 0) {
      const f = r.failed[0];
      throw new StagebookError(
        'E_DOWNLOAD_FAILED',
        `transfer: ${r.failed.length} download(s) failed, first ${f.item.url}: ${f.message}`,
        { url: f.item.url },
      );
    }
    for (const ok of r.ok)
      files.push({
        source: ok.item.url,
        destination: ok.dest ?? ok.path,
        bytes: ok.size,
        sha256: ok.sha256,
        status: 'downloaded',
      });
  } else {
    const rate = dst.kind === 'dir' ? (dst.maxBytesPerSecond ?? src.maxBytesPerSecond) : src.maxBytesPerSecond;
    for (const [i, p] of pairs.entries()) {
      ctx.progress(i, pairs.length, path.basename(p.source));
      files.push(await copyFile(p.source, p.destination, ctx, rate, input.verify_checksum));
    }
    ctx.progress(pairs.length, pairs.length);
  }
  return {
    files,
    bytes: files.reduce((s, f) => s + f.bytes, 0),
    skipped: files.filter((f) => f.status === 'skipped').length,
  };
}

export const transferAction: FlowAction = {
  name: 'transfer',
  run: runTransfer,
  plan(raw, ctx) {
    const input = parseActionInput(transferInput, raw, 'transfer', ctx.state);
    endpointOf(ctx.env, input.source_endpoint, 'source_endpoint');
    const dst = endpointOf(ctx.env, input.destination_endpoint, 'destination_endpoint');
    return input.transfer_items.map((it, i) => ({
      from: `${input.source_endpoint}:${it.source_path}`,
      to: inEndpoint(dst, it.destination_path, `transfer_items[${i}].destination_path`),
      recursive: it.recursive,
    }));
  },
};
