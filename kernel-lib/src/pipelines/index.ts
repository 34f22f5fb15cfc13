// Built-in scientific pipelines (registered by name for the CLI and notebooks).
import { registerPipeline } from '../engine/registry';
import { xpcsPipeline } from './xpcs/pipeline';
import { stixPipeline } from './stix/pipeline';

registerPipeline(xpcsPipeline);
registerPipeline(stixPipeline);

export * from './xpcs';
// STIX under one namespace (`import { stix } from 'stagebook'`): its many helpers stay out of the top level.
export * as stix from './stix';
