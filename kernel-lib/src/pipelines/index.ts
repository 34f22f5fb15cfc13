// Built-in scientific pipelines (registered by name for the CLI and notebooks).
import { registerPipeline } from '../engine/registry';
import { xpcsPipeline } from './xpcs/pipeline';

registerPipeline(xpcsPipeline);

export * from './xpcs';
export { solarImageSpec, hpcX, hpcY, type SolarImageInput, type SolarWcs } from './alexis/plots';
