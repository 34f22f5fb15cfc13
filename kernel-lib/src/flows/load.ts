/** Flow definitions from YAML or JSON files, with file:line:col errors (JSON is YAML). */
import { loadYamlConfig } from '../config/loader';
import { checkFlowReferences, flowDefinitionSchema, type FlowDefinition } from './definition';

export function loadFlowDefinition(file: string): FlowDefinition {
  const { config, source } = loadYamlConfig(file, flowDefinitionSchema);
  checkFlowReferences(config, source.displayPath);
  return config;
}
