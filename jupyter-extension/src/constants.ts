/**
 * Identifiers shared by the plugins, the views and the end-to-end test (test/jupyterlab-e2e.test.ts
 * selects on these class names and command ids: change them together).
 */
export { PROGRESS_MIME } from 'stagebook/progress-schema';

/** npm package name = the labextension directory name a user installs. */
export const EXTENSION_NAME = 'stagebook-jupyterlab';
/** The main plugin (panel, commands, settings); its settings schema is schema/plugin.json. */
export const PLUGIN_ID = `${EXTENSION_NAME}:plugin`;
/** Widget id of the stage-progress panel (also its layout-restorer key). */
export const PANEL_ID = 'stagebook-progress-panel';
/** Widget id of the run-record panel (run record of an executed notebook, Reproduce button). */
export const RECORD_PANEL_ID = 'stagebook-record-panel';

/** Vega-Lite 6 and Vega 6 MIME types (JupyterLab's built-in renderer stops at v5). */
export const VEGALITE6_MIME = 'application/vnd.vegalite.v6+json';
export const VEGA6_MIME = 'application/vnd.vega.v6+json';

export const CommandIds = {
  open: 'stagebook:open-progress-panel',
  toggle: 'stagebook:toggle-progress-panel',
  clear: 'stagebook:clear-progress',
  reveal: 'stagebook:reveal-run-cell',
} as const;

/** CSS classes: `sb-` prefix, one place. */
export const Css = {
  panel: 'sb-progress-panel',
  run: 'sb-run',
  runHeader: 'sb-run-header',
  stage: 'sb-stage',
  stageError: 'sb-stage-error',
  progressOutput: 'sb-progress-output',
  vegaOutput: 'sb-vega-output',
} as const;
