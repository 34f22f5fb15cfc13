/**
 * The compute action (the seed's funcX `Corr` step): runs a stagebook pipeline over a workspace, or a
 * notebook with parameters, and returns what it produced. A pipeline run goes through the engine, so
 * it is cached, resumable and recorded in its own ledger like any other run; a notebook run writes
 * the executed notebook as its run record. A failed run is an error (the step fails, Retry applies).
 */
import path from 'node:path';
import { z } from 'zod';
import { loadStagebookConfig, makeStagebookConfig, type StagebookConfig } from '../../config/schema';
import { resolvePipeline } from '../../engine/registry';
import { runPipeline } from '../../engine/runner';
import { StagebookError } from '../../errors/stagebook-error';
import { runNotebook } from '../../notebook/runner';
import { parseActionInput, type ActionContext, type FlowAction } from './types';

const pipelineCompute = z
  .object({
    pipeline: z.string().min(1),
    /** A stagebook YAML config, or: */
    config: z.string().optional(),
    /** a workspace root whose `raw/` holds the inputs (ledger and products inside it). */
    workspace: z.string().optional(),
    /** Stage parameters by stage name (workspace form only). */
    stages: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
    end_level: z.string().optional(),
  })
  .strict()
  .refine((v) => (v.config === undefined) !== (v.workspace === undefined), 'give exactly one of config and workspace')
  .refine((v) => v.config === undefined || v.stages === undefined, {
    message: 'stages applies to the workspace form only: a config file carries its own stage parameters',
    path: ['stages'],
  });

const notebookCompute = z
  .object({
    notebook: z.string().min(1),
    output: z.string().min(1),
    parameters: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

export const computeInput = z.union([pipelineCompute, notebookCompute]);

function configOf(input: z.output<typeof pipelineCompute>, ctx: Pick<ActionContext, 'env' | 'state'>): StagebookConfig {
  if (input.config) return loadStagebookConfig(input.config).config;
  const root = ctx.env.guard.resolve(input.workspace as string, `${ctx.state}: compute workspace`);
  return makeStagebookConfig({ root, inputs: { dir: 'raw', pattern: '**/*' }, stages: input.stages ?? {} }, root);
}

async function runCompute(raw: unknown, ctx: ActionContext): Promise<unknown> {
  const input = parseActionInput(computeInput, raw, 'compute', ctx.state);
  if ('notebook' in input) {
    const output = ctx.env.guard.resolve(input.output, `${ctx.state}: compute output`);
    const summary = await runNotebook({ input: path.resolve(input.notebook), output, parameters: input.parameters });
    // The runner's vocabulary is being unified ('ok' -> 'succeeded'); accept either.
    const status = String(summary.status);
    if (status !== 'ok' && status !== 'succeeded') {
      throw new StagebookError('E_FLOW_ACTION', `${ctx.state}: notebook ${input.notebook} ended ${status}`, {
        state: ctx.state,
        output,
      });
    }
    return { notebook: output, status: summary.status };
  }
  const pipeline = resolvePipeline(input.pipeline);
  const r = await runPipeline(pipeline, configOf(input, ctx), { signal: ctx.signal, endLevel: input.end_level });
  if (r.status !== 'succeeded') {
    const f = r.failures[0];
    throw new StagebookError(
      'E_FLOW_ACTION',
      `${ctx.state}: pipeline ${input.pipeline} run ${r.runId} ended ${r.status}${f ? `: ${f.stage} ${f.unit}: ${f.message}` : ''}`,
      {
        state: ctx.state,
        runId: r.runId,
      },
    );
  }
  return {
    pipeline: r.pipeline,
    run_id: r.runId,
    status: r.status,
    counts: r.counts,
    outputs: r.outputs.map((o) => o.path),
  };
}

export const computeAction: FlowAction = {
  name: 'compute',
  run: runCompute,
  plan(raw, ctx) {
    const input = parseActionInput(computeInput, raw, 'compute', ctx.state);
    if ('notebook' in input)
      return { notebook: input.notebook, output: ctx.env.guard.resolve(input.output), parameters: input.parameters };
    resolvePipeline(input.pipeline);
    return { pipeline: input.pipeline, root: configOf(input, ctx).root };
  },
};
