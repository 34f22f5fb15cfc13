import { registerPipeline } from '../engine/registry';
import { examplePipeline } from './words-pipeline';

registerPipeline(examplePipeline);

export { examplePipeline, tokenizeStage, splitStage, collateStage } from './words-pipeline';
