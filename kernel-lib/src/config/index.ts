export {
  parseYaml,
  readYamlFile,
  validateYaml,
  loadYamlConfig,
  locate,
  locateIssues,
  formatLocatedIssue,
} from './loader';
export type { SchemaIssue, SchemaLike, YamlSource, LocatedIssue } from './loader';
export { Secret, resolveSecret, Redactor } from './secrets';
export { loadStagebookConfig, makeStagebookConfig } from './schema';
export type { StagebookConfig, EnginePolicy, LeasePolicy } from './schema';
