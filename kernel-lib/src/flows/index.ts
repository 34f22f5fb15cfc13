// Flows: Automate-style state machines over transfer / compute / plots / ingest / shell actions,
// recorded in the ledger (docs/xpcs-flow.md).
export { parseFlowDefinition, checkFlowReferences, flowDefinitionSchema, ACTION_NAMES } from './definition';
export type { FlowDefinition, FlowState, ActionState, RetryPolicy } from './definition';
export { loadFlowDefinition } from './load';
export { loadFlowConfig, makeFlowEnvironment, flowConfigSchema } from './config';
export type { FlowEnvironment, FlowEndpoint, FlowConfigInput } from './config';
export { FlowStore } from './store';
export type { FlowRunRecord, FlowStepRecord, FlowRunStatus } from './store';
export { runFlow, realClock } from './run-flow';
export type { RunFlowOptions, FlowClock, FlowStepEvent } from './run-flow';
export { planFlow } from './plan';
export type { FlowPlanStep } from './plan';
export { FLOW_ACTIONS } from './actions';
export type { FlowAction, ActionContext } from './actions';
export { getAtPath, setAtPath, parseJsonPath } from './json-path';
export { registerBuiltInFlow, builtInFlow, builtInFlowNames } from './built-ins';
