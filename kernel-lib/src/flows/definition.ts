/**
 * Flow definitions in the shape of Globus Automate / AWS Step Functions flows (the XPCS seed's
 * `Transfer1 -> ExecCorr -> Transfer2 -> ExecPlots -> ExecPilot`): named states, each either an
 * Action (one of stagebook's actions, with InputPath / ResultPath over the flow document, WaitTime,
 * Retry with backoff, Next or End), a Choice (branch on a value of the document), or a terminal
 * Succeed / Fail. Validated with zod; cross-references (StartAt, Next, Default) checked after.
 */
import { z } from 'zod';
import { StagebookError } from '../errors/stagebook-error';
import { parseJsonPath } from './json-path';

export const ACTION_NAMES = ['transfer', 'compute', 'plots', 'ingest', 'shell'] as const;

const jsonPath = z.string().refine((p) => {
  try {
    parseJsonPath(p);
    return true;
  } catch {
    return false;
  }
}, "must be a JSONPath of the supported subset ($, $.a.b, $.a[0], $['a b'])");

/** Retry policy of an action state (Step Functions' Retrier): attempts = 1 + MaxAttempts. */
export const retrySchema = z
  .object({
    ErrorEquals: z.array(z.string()).min(1).default(['States.ALL']),
    IntervalSeconds: z.number().min(0).default(1),
    MaxAttempts: z.number().int().min(0).max(100).default(3),
    BackoffRate: z.number().min(1).default(2),
  })
  .strict();

const actionState = z
  .object({
    Type: z.literal('Action'),
    Comment: z.string().optional(),
    Action: z.enum(ACTION_NAMES),
    InputPath: jsonPath.default('$'),
    /**
     * Step Functions' Parameters: a template for the action input; a key ending in `.$` takes the
     * value at its JSONPath in the InputPath-selected document (e.g. `"plots.$": "$.Exec2Result.files"`).
     */
    Parameters: z.record(z.string(), z.unknown()).optional(),
    ResultPath: jsonPath.optional(),
    /** Seconds the step may take before it fails with States.Timeout (Automate's WaitTime). */
    WaitTime: z.number().positive().default(3600),
    Retry: z.array(retrySchema).default([]),
    Next: z.string().optional(),
    End: z.literal(true).optional(),
  })
  .strict();

const comparison = z
  .object({
    Variable: jsonPath,
    StringEquals: z.string().optional(),
    NumericEquals: z.number().optional(),
    NumericLessThan: z.number().optional(),
    NumericGreaterThan: z.number().optional(),
    NumericLessThanEquals: z.number().optional(),
    NumericGreaterThanEquals: z.number().optional(),
    BooleanEquals: z.boolean().optional(),
    IsPresent: z.boolean().optional(),
    Next: z.string(),
  })
  .strict()
  .refine(
    (c) => Object.keys(c).filter((k) => k !== 'Variable' && k !== 'Next').length === 1,
    'a choice rule needs exactly one comparison',
  );

const choiceState = z
  .object({
    Type: z.literal('Choice'),
    Comment: z.string().optional(),
    Choices: z.array(comparison).min(1),
    Default: z.string().optional(),
  })
  .strict();
const succeedState = z.object({ Type: z.literal('Succeed'), Comment: z.string().optional() }).strict();
const failState = z
  .object({
    Type: z.literal('Fail'),
    Comment: z.string().optional(),
    Error: z.string().default('States.Fail'),
    Cause: z.string().optional(),
  })
  .strict();

const stateSchema = z.discriminatedUnion('Type', [actionState, choiceState, succeedState, failState]);

export const flowDefinitionSchema = z
  .object({
    Comment: z.string().optional(),
    StartAt: z.string(),
    States: z.record(z.string(), stateSchema),
  })
  .strict();

export type FlowDefinition = z.output<typeof flowDefinitionSchema>;
export type FlowState = FlowDefinition['States'][string];
export type ActionState = z.output<typeof actionState>;
export type ChoiceRule = z.output<typeof comparison>;
export type RetryPolicy = z.output<typeof retrySchema>;

/** Checks what zod cannot: every name a state points at exists, and action states end or go on. */
export function checkFlowReferences(def: FlowDefinition, where = 'flow'): void {
  const names = new Set(Object.keys(def.States));
  const fail = (state: string, field: string, message: string): never => {
    throw new StagebookError('E_FLOW_DEFINITION', `${where}: States.${state}.${field}: ${message}`, {
      where,
      state,
      field,
    });
  };
  if (!names.has(def.StartAt)) {
    throw new StagebookError(
      'E_FLOW_DEFINITION',
      `${where}: StartAt names the unknown state ${JSON.stringify(def.StartAt)}`,
      { where, field: 'StartAt' },
    );
  }
  for (const [name, s] of Object.entries(def.States)) {
    if (s.Type === 'Action') {
      if ((s.Next === undefined) === (s.End === undefined))
        fail(name, 'Next', 'an Action state needs exactly one of Next and End');
      if (s.Next !== undefined && !names.has(s.Next)) fail(name, 'Next', `unknown state ${JSON.stringify(s.Next)}`);
    } else if (s.Type === 'Choice') {
      s.Choices.forEach((c, i) => {
        if (!names.has(c.Next)) fail(name, `Choices[${i}].Next`, `unknown state ${JSON.stringify(c.Next)}`);
      });
      if (s.Default !== undefined && !names.has(s.Default))
        fail(name, 'Default', `unknown state ${JSON.stringify(s.Default)}`);
    }
  }
}

/** Validates an in-memory definition (zod, then references); errors name the state and field. */
export function parseFlowDefinition(input: unknown, where = 'flow'): FlowDefinition {
  const r = flowDefinitionSchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0];
    const field = issue.path.join('.');
    throw new StagebookError('E_FLOW_DEFINITION', `${where}: ${field || '(root)'}: ${issue.message}`, { where, field });
  }
  checkFlowReferences(r.data, where);
  return r.data;
}
