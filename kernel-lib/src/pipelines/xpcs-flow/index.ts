// The XPCS flow (gladier-xpcs): its definition and input, the crawler, and the CLI handlers.
import { registerBuiltInFlow } from '../../flows/built-ins';
import { xpcsFlowDefinition } from './flow-input';

registerBuiltInFlow('xpcs', xpcsFlowDefinition);

export { xpcsFlowDefinition, xpcsFlowInput } from './flow-input';
export type { XpcsAutomateRequest } from './flow-input';
export { crawlDatasets } from './crawler';
export type { CrawlResult, CrawledDataset } from './crawler';
