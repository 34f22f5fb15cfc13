/**
 * The `xpcs` pipeline (APS 8-ID XPCS, after the gladier-xpcs flow's Corr -> Plots/QC steps):
 *
 *   <inputs>/<dataset>/{name.imm, name.hdf} --xpcs-corr (merge per directory, L1)-->
 *       L1/<name>/<name>_results.hdf (+ _g2_sectors.json)
 *   --xpcs-fit (merge per directory, L2)--> L2/<name>/<name>_report.json
 *
 * The same stages run from a notebook cell (`runPipeline(xpcsPipeline, xpcsWorkspaceConfig(dir))`)
 * and from the CLI (`stagebook run xpcs --config sb.yaml`), sharing the ledger and its cache.
 */
import path from 'node:path';
import { makeStagebookConfig, type StagebookConfig } from '../../config/schema';
import { definePipeline } from '../../engine/pipeline';
import type { RunResult } from '../../engine/runner';
import { xpcsCorrStage } from './correlate-stage';
import { xpcsFitStage } from './fit-stage';

/** The XPCS pipeline (registered as `xpcs`). */
export const xpcsPipeline = definePipeline({
  name: 'xpcs',
  description:
    'XPCS: IMM + legacy config -> multi-tau/two-time results (/exchange, L1) -> decay fits, QC and metadata (L2)',
  stages: [xpcsCorrStage, xpcsFitStage],
});

/** Options of {@link xpcsWorkspaceConfig}. */
export interface XpcsWorkspaceOptions {
  /** Directory of the datasets, relative to the root (default `raw`). */
  inputsDir?: string;
  /** Parameters of the stages, by stage name (`xpcs-corr`, `xpcs-fit`). */
  stages?: Record<string, Record<string, unknown>>;
  /** Extra engine policies (see the config schema). */
  engine?: Record<string, unknown>;
}

/**
 * An engine config for an XPCS workspace rooted at `root` (created by the run): datasets under
 * `<root>/raw/<dataset>/` (`*.imm` + `*.hdf`), products under `<root>/L1`, `<root>/L2`, the
 * ledger at `<root>/.stagebook/ledger.db`. The YAML equivalent for the CLI is
 * `root: <root>`, `inputs: {dir: raw, pattern: "**\/*.{imm,bin,h5,hdf5,hdf}"}`.
 */
export function xpcsWorkspaceConfig(root: string, options: XpcsWorkspaceOptions = {}): StagebookConfig {
  const abs = path.resolve(root);
  return makeStagebookConfig(
    {
      root: abs,
      inputs: { dir: options.inputsDir ?? 'raw', pattern: '**/*.{imm,bin,h5,hdf5,hdf}' },
      stages: options.stages ?? {},
      ...(options.engine ? { engine: options.engine } : {}),
    },
    abs,
  );
}

/** Products of a finished run: the L1 result files and L2 reports, by dataset name. */
export function xpcsProducts(result: RunResult): Array<{ dataset: string; report: string; results: string }> {
  return result.outputs
    .filter((o) => o.path.endsWith('_report.json'))
    .map((o) => {
      const dataset = path.basename(o.path).replace(/_report\.json$/, '');
      const l2 = path.dirname(o.path);
      return {
        dataset,
        report: o.path,
        results: path.join(path.dirname(path.dirname(l2)), 'L1', dataset, `${dataset}_results.hdf`),
      };
    });
}
