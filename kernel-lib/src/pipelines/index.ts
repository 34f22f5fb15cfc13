// Built-in scientific pipelines (registered by name for the CLI and notebooks).
import { registerPipeline } from '../engine/registry';
import { xpcsPipeline } from './xpcs/pipeline';
import { alexisPipeline } from './alexis/pipeline';
import { stixPipeline } from './stix/pipeline';

registerPipeline(xpcsPipeline);
registerPipeline(alexisPipeline);
registerPipeline(stixPipeline);

export * from './xpcs';
export { solarImageSpec, hpcX, hpcY, type SolarImageInput, type SolarWcs } from './alexis/solar-image-plot';
export * from './alexis';
// STIX under one namespace (`import { stix } from 'stagebook'`): its many helpers stay out of the top level.
export * as stix from './stix';
