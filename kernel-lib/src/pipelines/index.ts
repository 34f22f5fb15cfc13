// Built-in scientific pipelines (registered by name for the CLI and notebooks).
import { registerPipeline } from '../engine/registry';
import { xpcsPipeline } from './xpcs/pipeline';
import { alexisPipeline } from './alexis/pipeline';

registerPipeline(xpcsPipeline);
registerPipeline(alexisPipeline);

export * from './xpcs';
export { solarImageSpec, hpcX, hpcY, type SolarImageInput, type SolarWcs } from './alexis/solar-image-plot';
export * from './alexis';
