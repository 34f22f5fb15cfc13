// An LCO workspace for tests: a data_download.yaml pointing at a local archive, in a fresh temp dir.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Options of `makeLcoWorkspace`. */
export interface LcoWorkspaceOptions {
  url: string;
  tokenEnv: string;
  proposals?: string[];
  /** Extra YAML lines appended to the archive entry (indented by the helper). */
  archiveExtra?: string[];
  /** Extra top-level YAML lines. */
  extra?: string[];
  /** The `download.retry` flow mapping. Default `{baseDelayMs: 5, maxDelayMs: 20}`. */
  retry?: string;
}

/** Creates the workspace; returns its directory and config file. */
export function makeLcoWorkspace(o: LcoWorkspaceOptions): { ws: string; cfg: string } {
  const ws = mkdtempSync(path.join(os.tmpdir(), 'sb-lco-'));
  const cfg = path.join(ws, 'data_download.yaml');
  const proposals = o.proposals ?? ['KEY2025-004', 'LCO2025A-012'];
  writeFileSync(
    cfg,
    [
      'archives:',
      '  lco:',
      "    name: 'LCO'",
      '    active: True',
      `    url: '${o.url}'`,
      `    token_envvar: '${o.tokenEnv}'`,
      '    proposals:',
      ...proposals.map((p) => `      - '${p}'`),
      '    reduction_level:',
      '      image: 91',
      '      spectrum: 91',
      ...(o.archiveExtra ?? []).map((l) => `    ${l}`),
      "log_dir: 'logs'",
      "data_download_dir: 'incoming'",
      "data_reduction_dir: 'reduction'",
      "start_datetime: '2025-06-10 00:00'",
      "end_datetime: '2025-06-12 23:59'",
      'download:',
      `  retry: ${o.retry ?? '{baseDelayMs: 5, maxDelayMs: 20}'}`,
      ...(o.extra ?? []),
      '',
    ].join('\n'),
  );
  return { ws, cfg };
}
