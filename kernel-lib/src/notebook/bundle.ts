/**
 * `stagebook notebook pack RECORD.ipynb -o bundle.tar.gz` and `unpack`: an executed notebook with what a
 * colleague needs to reproduce it elsewhere (issue 21): the notebook, its recorded inputs (inline, or for
 * inputs over the size limit their URL + sha256, fetched and verified by `reproduce` through the
 * downloader), the package lock and a README. Layout:
 *   stagebook-bundle.json   manifest (format 1): notebook, inputs, versions
 *   <notebook>.ipynb        the record (inputs packed by URL carry it in metadata.stagebook.input_files)
 *   inputs/<param>/<file>   inline inputs
 *   package-lock.json       the lock of the project that ran it (when found)
 *   README.md
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { atomicWriteFile } from '../workdirs/atomic';
import { StagebookError } from '../errors/stagebook-error';
import { serializeNotebook } from './nbformat';
import { readRecordNotebook } from './record-schema';
import { resolveReproPolicy } from './repro-policy';
import type { RunRecord } from './run-record';
import { readTarGz, writeTarGz, type TarEntry } from './tar-gz';

export const MANIFEST = 'stagebook-bundle.json';

export interface PackOptions {
  record: string;
  output: string;
  /** Inputs larger than this go by URL (default: the policy's maxPackedInputBytes, 64 MiB). */
  maxInlineBytes?: number;
  /** URLs for inputs by parameter name (required for inputs over the limit without a recorded URL). */
  urls?: Record<string, string>;
  /** Where the kernel ran (default: the recorded cwd): recorded relative input paths resolve against it. */
  cwd?: string;
}

export interface PackResult {
  output: string;
  files: string[];
  inlined: string[];
  remote: string[];
}

function usage(message: string, field: string): StagebookError {
  return new StagebookError('E_USAGE', `pack: ${message}`, { where: 'packNotebook', field });
}

/** The nearest package-lock.json above `from` (the project that installed stagebook). */
function findLock(from: string): string | undefined {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    const f = path.join(dir, 'package-lock.json');
    if (existsSync(f) && !dir.split(path.sep).includes('node_modules')) return f;
    if (path.dirname(dir) === dir) return undefined;
  }
}

function readme(nbName: string, record: RunRecord, remote: string[]): string {
  return `# ${nbName}: a stagebook run record

Executed on ${record.start} with stagebook ${record.versions.stagebook ?? '?'} (tslab ${record.versions.tslab ?? '?'},
node ${record.versions.node ?? '?'}); run status \`${record.status}\`.

To check that it gives the same answer on your machine (in a project where \`npm i stagebook\` was run):

    npx stagebook notebook unpack THIS.tar.gz -o DIR
    npx stagebook notebook reproduce DIR/${nbName} --inputs DIR/inputs

\`reproduce\` checks the recorded versions and input hashes, re-runs the notebook with the recorded parameters
and prints \`reproduced\`, \`reproduced within tolerance\` or \`differs\` (docs/reproducibility.md).
${remote.length ? `\nInputs fetched by URL (sha256-verified): ${remote.join(', ')}.\n` : ''}`;
}

/** Packs an executed notebook and its inputs into a deterministic tar.gz. */
export async function packNotebook(o: PackOptions): Promise<PackResult> {
  const { nb, record } = readRecordNotebook(o.record);
  const max = o.maxInlineBytes ?? resolveReproPolicy().maxPackedInputBytes;
  const cwd = o.cwd ?? record.cwd ?? path.dirname(path.resolve(o.record));
  const nbName = path.basename(o.record);
  const entries: TarEntry[] = [];
  const inlined: string[] = [];
  const remote: string[] = [];
  const inputs: Record<string, unknown> = {};
  for (const name of Object.keys(o.urls ?? {}))
    if (!record.input_files?.[name]) throw usage(`--url ${name}: no recorded input of that name`, name);
  const packed = JSON.parse(JSON.stringify(nb)) as typeof nb;
  const files = (packed.metadata.stagebook as RunRecord).input_files ?? {};
  for (const [name, f] of Object.entries(files)) {
    const url = o.urls?.[name] ?? f.url;
    if (f.size > max || (url && o.urls?.[name])) {
      if (!url)
        throw usage(`input ${name} (${f.path}, ${f.size} bytes) is over ${max} bytes: give --url ${name}=URL`, name);
      f.url = url;
      remote.push(name);
      inputs[name] = { path: f.path, sha256: f.sha256, size: f.size, url };
      continue;
    }
    const abs = path.resolve(cwd, f.path);
    if (!existsSync(abs)) throw usage(`input ${name}: ${abs} does not exist (recorded sha256 ${f.sha256})`, name);
    const data = readFileSync(abs);
    const member = `inputs/${name}/${path.basename(f.path)}`;
    entries.push({ name: member, data });
    inlined.push(name);
    inputs[name] = { path: f.path, sha256: f.sha256, size: f.size, member };
  }
  const lock = findLock(path.join(__dirname, '..', '..'));
  const manifest = {
    format: 1,
    notebook: nbName,
    status: record.status,
    versions: record.versions,
    parameters: record.parameters,
    inputs,
    package_lock: lock ? 'package-lock.json' : null,
  };
  const head: TarEntry[] = [
    { name: MANIFEST, data: Buffer.from(JSON.stringify(manifest, null, 2) + '\n') },
    { name: nbName, data: Buffer.from(serializeNotebook(packed)) },
    { name: 'README.md', data: Buffer.from(readme(nbName, record, remote)) },
    ...(lock ? [{ name: 'package-lock.json', data: readFileSync(lock) }] : []),
  ];
  const all = [...head, ...entries];
  await atomicWriteFile(path.resolve(o.output), writeTarGz(all));
  return { output: path.resolve(o.output), files: all.map((e) => e.name), inlined, remote };
}

export interface UnpackResult {
  dir: string;
  files: string[];
  notebook: string;
  inputsDir: string;
  reproduceCommand: string;
}

/** Unpacks a bundle into `dir` (which must not exist or be empty). */
export async function unpackBundle(bundle: string, dir: string): Promise<UnpackResult> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(bundle);
  } catch (e) {
    throw new StagebookError(
      'E_FILE_NOT_FOUND',
      `unpack: ${bundle}: cannot read`,
      { where: 'unpackBundle', file: bundle },
      { cause: e },
    );
  }
  const entries = readTarGz(bytes, bundle);
  const manifestEntry = entries.find((e) => e.name === MANIFEST);
  if (!manifestEntry)
    throw new StagebookError('E_PACK_FORMAT', `unpack: ${bundle}: no ${MANIFEST}`, {
      where: 'unpackBundle',
      file: bundle,
    });
  const manifest = JSON.parse(manifestEntry.data.toString('utf8')) as { notebook?: unknown };
  if (typeof manifest.notebook !== 'string' || !entries.some((e) => e.name === manifest.notebook))
    throw new StagebookError(
      'E_PACK_FORMAT',
      `unpack: ${bundle}: ${MANIFEST}: notebook: missing or not in the bundle`,
      {
        where: 'unpackBundle',
        file: bundle,
        field: 'notebook',
      },
    );
  const root = path.resolve(dir);
  if (existsSync(root) && (!statSync(root).isDirectory() || readdirSync(root).length > 0))
    throw new StagebookError('E_USAGE', `unpack: ${root} exists and is not an empty directory`, {
      where: 'unpackBundle',
      field: '-o',
    });
  for (const e of entries) {
    const target = path.join(root, e.name);
    mkdirSync(path.dirname(target), { recursive: true });
    await atomicWriteFile(target, e.data);
  }
  const notebook = path.join(root, manifest.notebook);
  const inputsDir = path.join(root, 'inputs');
  return {
    dir: root,
    files: entries.map((e) => e.name),
    notebook,
    inputsDir,
    reproduceCommand: `stagebook notebook reproduce ${notebook} --inputs ${inputsDir}`,
  };
}
