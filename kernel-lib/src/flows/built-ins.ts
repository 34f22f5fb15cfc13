/** Named flow definitions (`stagebook flow run xpcs`); systems register theirs (pipelines/xpcs-flow). */
import type { FlowDefinition } from './definition';

const builtIns = new Map<string, () => FlowDefinition>();

export function registerBuiltInFlow(name: string, make: () => FlowDefinition): void {
  builtIns.set(name, make);
}

export function builtInFlow(name: string): FlowDefinition | undefined {
  return builtIns.get(name)?.();
}

export function builtInFlowNames(): string[] {
  return [...builtIns.keys()].sort();
}
