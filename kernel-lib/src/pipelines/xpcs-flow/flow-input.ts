/**
 * The XPCS flow and its input document, as the seed's Automate client builds them
 * (gladier-xpcs old_automate_client/client.py: create_flow_input, flows/xpcs.ipynb):
 *
 *   Transfer1 (raw data + HDF config -> compute staging) -> ExecCorr (the xpcs pipeline on the
 *   staged dataset) -> Transfer2 (results -> results endpoint) -> ExecPlots (portal PNGs) ->
 *   ExecPilot (search index)
 *
 * Staging directory: <staging>/<hdf basename without .hdf>/ on the compute endpoint, as the seed's
 * /projects/APSDataAnalysis/Automate/<name>/. The seed's Corr function used the whole event payload
 * as its `flags` (`flags = event['data']`); here `--rigaku` only selects the raw-data format (a
 * Rigaku `.bin` instead of an `.imm`), checked against the file's name, and nothing else is passed.
 */
import path from 'node:path';
import { StagebookError } from '../../errors/stagebook-error';
import type { FlowEnvironment } from '../../flows/config';
import { parseFlowDefinition, type FlowDefinition } from '../../flows/definition';

export interface XpcsAutomateRequest {
  /** The HDF5 config/results file (legacy layout) and the raw frames, as paths on the source endpoint. */
  hdf: string;
  raw: string;
  rigaku?: boolean;
}

const IO_RETRY = [
  { ErrorEquals: ['E_IO', 'E_DOWNLOAD_FAILED', 'States.Timeout'], IntervalSeconds: 5, MaxAttempts: 3, BackoffRate: 2 },
];

/** The five-state XPCS flow (WaitTime as the seed: transfers 6000 s, compute 12000 s). */
export function xpcsFlowDefinition(): FlowDefinition {
  return parseFlowDefinition(
    {
      Comment: 'XPCS: stage raw data, correlate, return results, plot, publish (gladier-xpcs Automate flow)',
      StartAt: 'Transfer1',
      States: {
        Transfer1: {
          Type: 'Action',
          Action: 'transfer',
          InputPath: '$.Transfer1Input',
          ResultPath: '$.Transfer1Result',
          WaitTime: 6000,
          Retry: IO_RETRY,
          Next: 'ExecCorr',
        },
        ExecCorr: {
          Type: 'Action',
          Action: 'compute',
          InputPath: '$.Exec1Input',
          ResultPath: '$.Exec1Result',
          WaitTime: 12000,
          Next: 'Transfer2',
        },
        Transfer2: {
          Type: 'Action',
          Action: 'transfer',
          InputPath: '$.Transfer2Input',
          ResultPath: '$.Transfer2Result',
          WaitTime: 6000,
          Retry: IO_RETRY,
          Next: 'ExecPlots',
        },
        ExecPlots: {
          Type: 'Action',
          Action: 'plots',
          InputPath: '$.Exec2Input',
          ResultPath: '$.Exec2Result',
          WaitTime: 12000,
          Next: 'ExecPilot',
        },
        ExecPilot: {
          Type: 'Action',
          Action: 'ingest',
          InputPath: '$',
          ResultPath: '$.Exec3Result',
          WaitTime: 12000,
          End: true,
          Parameters: {
            'subject.$': '$.Exec3Input.subject',
            'hdf.$': '$.Exec3Input.hdf',
            'report.$': '$.Exec3Input.report',
            'title.$': '$.Exec3Input.title',
            'plots.$': '$.Exec2Result.files',
          },
        },
      },
    },
    'xpcs flow',
  );
}

function dirOf(env: FlowEnvironment, name: string, field: string): string {
  const e = env.endpoints[name];
  if (!e || e.kind !== 'dir')
    throw new StagebookError(
      'E_CONFIG_INVALID',
      `xpcs.${field}: ${JSON.stringify(name)} must name a directory endpoint`,
      { field: `xpcs.${field}` },
    );
  return e.path;
}

/** `p` relative to the source endpoint (absolute paths must lie inside it). */
function relativeTo(endpointDir: string, p: string, field: string): string {
  if (!path.isAbsolute(p)) return p;
  const rel = path.relative(endpointDir, p);
  if (rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new StagebookError(
      'E_USAGE',
      `xpcs automate: --${field === 'hdf' ? 'input' : 'imm'} ${p} is not inside the source endpoint ${endpointDir}`,
      { field },
    );
  }
  return rel;
}

/** The flow input document for one dataset (paths relative to their endpoints). */
export function xpcsFlowInput(env: FlowEnvironment, req: XpcsAutomateRequest): Record<string, unknown> {
  const x = env.xpcs;
  if (!x)
    throw new StagebookError(
      'E_CONFIG_INVALID',
      'xpcs automate: the flow config has no xpcs section (source_endpoint, compute_endpoint, results_endpoint)',
      { field: 'xpcs' },
    );
  const isBin = req.raw.endsWith('.bin');
  if (Boolean(req.rigaku) !== isBin) {
    throw new StagebookError(
      'E_USAGE',
      `xpcs automate: ${req.rigaku ? '--rigaku needs a Rigaku .bin raw file' : 'a .bin raw file needs --rigaku'} (got ${req.raw})`,
      { field: 'raw' },
    );
  }
  const sourceDir = dirOf(env, x.source_endpoint, 'source_endpoint');
  const hdf = relativeTo(sourceDir, req.hdf, 'hdf');
  const raw = relativeTo(sourceDir, req.raw, 'raw');
  const name = path.basename(req.hdf).replace(/\.(hdf|h5|hdf5)$/, '');
  const stage = `${x.staging}/${name}`;
  const compute = dirOf(env, x.compute_endpoint, 'compute_endpoint');
  const resultsDir = `${x.results}/${name}`;
  const resultsHdf = `${resultsDir}/${name}_results.hdf`;
  const resultsAbs = path.join(dirOf(env, x.results_endpoint, 'results_endpoint'), resultsHdf);
  return {
    dataset: name,
    Transfer1Input: {
      source_endpoint: x.source_endpoint,
      destination_endpoint: x.compute_endpoint,
      transfer_items: [
        { source_path: hdf, destination_path: `${stage}/raw/${name}/${path.basename(req.hdf)}`, recursive: false },
        { source_path: raw, destination_path: `${stage}/raw/${name}/${path.basename(req.raw)}`, recursive: false },
      ],
    },
    Exec1Input: { pipeline: 'xpcs', workspace: path.join(compute, stage) },
    Transfer2Input: {
      source_endpoint: x.compute_endpoint,
      destination_endpoint: x.results_endpoint,
      transfer_items: [
        { source_path: `${stage}/L1/${name}/${name}_results.hdf`, destination_path: resultsHdf, recursive: false },
        {
          source_path: `${stage}/L2/${name}/${name}_report.json`,
          destination_path: `${resultsDir}/${name}_report.json`,
          recursive: false,
        },
      ],
    },
    Exec2Input: { hdf: resultsAbs, out_dir: path.dirname(resultsAbs), base: name },
    Exec3Input: {
      subject: `xpcs/${name}`,
      hdf: resultsAbs,
      report: path.join(path.dirname(resultsAbs), `${name}_report.json`),
      title: name,
    },
  };
}
