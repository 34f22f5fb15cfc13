/**
 * The MIME extension (package.json `jupyterlab.mimeExtension`): renderers JupyterLab registers in
 * every rendermime registry, so notebooks, consoles and output views all use them.
 */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { EXTENSION_NAME } from './constants';
import { progressRendererFactory } from './progress/renderer';
import { flowListRendererFactory } from './punch/flows-renderer';
import { vegaRendererFactory } from './vega/renderer';

const extensions: IRenderMime.IExtension[] = [
  { id: `${EXTENSION_NAME}:progress-renderer`, rendererFactory: progressRendererFactory, rank: 40, dataType: 'json' },
  { id: `${EXTENSION_NAME}:vega6-renderer`, rendererFactory: vegaRendererFactory, rank: 56, dataType: 'json' },
  // PUNCH control database flow lists (punch.showFlows; issue 17)
  {
    id: `${EXTENSION_NAME}:punch-flows-renderer`,
    rendererFactory: flowListRendererFactory,
    rank: 40,
    dataType: 'json',
  },
];

export default extensions;
