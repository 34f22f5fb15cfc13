/**
 * A minimal, deterministic ustar + gzip writer and a strict reader for notebook bundles (POSIX.1-1988 ustar
 * headers, as GNU tar and Python's tarfile read them). Regular files and directories only; mtime, uid and gid
 * are 0 so packing the same files twice gives the same bytes. The reader refuses links, absolute names and
 * `..` (archive-name rules of acquisition/names.ts) and checks every header checksum: E_PACK_FORMAT.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { relativePathProblem } from '../acquisition/names';
import { StagebookError } from '../errors/stagebook-error';

export interface TarEntry {
  name: string;
  data: Buffer;
}

const BLOCK = 512;

function formatError(file: string, message: string): StagebookError {
  return new StagebookError('E_PACK_FORMAT', `unpack: ${file}: ${message}`, { where: 'readTarGz', file });
}

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

function header(name: string, size: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  let prefix = '';
  let base = name;
  if (Buffer.byteLength(name) > 100) {
    // ustar splits a long name at a '/' into prefix (155) and name (100)
    const cut = name.lastIndexOf('/');
    prefix = name.slice(0, cut);
    base = name.slice(cut + 1);
    if (cut < 0 || Buffer.byteLength(base) > 100 || Buffer.byteLength(prefix) > 155)
      throw new StagebookError('E_INVALID_ARGUMENT', `pack: ${name}: name too long for ustar`, { where: 'writeTarGz' });
  }
  h.write(base, 0, 100, 'utf8');
  h.write(octal(0o644, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(0, 12), 136, 'ascii'); // mtime 0: deterministic bundles
  h.write('        ', 148, 'ascii');
  h.write('0', 156, 'ascii');
  h.write('ustar\u000000', 257, 'binary');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + ' ', 148, 'ascii');
  return h;
}

/** gzip(ustar(entries)), entries in the order given. */
export function writeTarGz(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    parts.push(header(e.name, e.data.length), e.data);
    const pad = (BLOCK - (e.data.length % BLOCK)) % BLOCK;
    if (pad) parts.push(Buffer.alloc(pad));
  }
  parts.push(Buffer.alloc(2 * BLOCK));
  return gzipSync(Buffer.concat(parts), { level: 9 });
}

function cString(b: Buffer, start: number, len: number): string {
  const s = b.subarray(start, start + len);
  const nul = s.indexOf(0);
  return s.subarray(0, nul < 0 ? len : nul).toString('utf8');
}

/** Reads a bundle; every entry is a regular file with a safe relative name. */
export function readTarGz(bytes: Buffer, file: string): TarEntry[] {
  let tar: Buffer;
  try {
    tar = gunzipSync(bytes);
  } catch (e) {
    throw formatError(file, `not gzip (${(e as Error).message})`);
  }
  const out: TarEntry[] = [];
  for (let off = 0; off + BLOCK <= tar.length;) {
    const h = tar.subarray(off, off + BLOCK);
    if (h.every((b) => b === 0)) break;
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
    if (parseInt(cString(h, 148, 8).trim(), 8) !== sum) throw formatError(file, `bad header checksum at byte ${off}`);
    const prefix = cString(h, 345, 155);
    const name = (prefix ? `${prefix}/` : '') + cString(h, 0, 100);
    const size = parseInt(cString(h, 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(h[156] || 48);
    if (!Number.isFinite(size) || size < 0 || off + BLOCK + size > tar.length)
      throw formatError(file, `${name}: truncated`);
    off += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    if (type === '5') continue;
    if (type !== '0') throw formatError(file, `${name}: entry type ${type} (only regular files are unpacked)`);
    const problem = relativePathProblem(name.replace(/\/$/, ''));
    if (problem) throw formatError(file, `${JSON.stringify(name)}: unsafe name (${problem})`);
    out.push({
      name,
      data: Buffer.from(
        tar.subarray(off - Math.ceil(size / BLOCK) * BLOCK, off - Math.ceil(size / BLOCK) * BLOCK + size),
      ),
    });
  }
  return out;
}
