// The actions a flow state can run, by name (definition.ts ACTION_NAMES).
import { computeAction } from './compute';
import { ingestAction } from './ingest';
import { plotsAction } from './plots';
import { shellAction } from './shell';
import { transferAction } from './transfer';
import type { FlowAction } from './types';

export const FLOW_ACTIONS: Readonly<Record<string, FlowAction>> = {
  transfer: transferAction,
  compute: computeAction,
  plots: plotsAction,
  ingest: ingestAction,
  shell: shellAction,
};
export type { ActionContext, FlowAction } from './types';
