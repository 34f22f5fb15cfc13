/*
 * The application: JupyterLab 4.6's staging `index.js` (registration of the core plugins and of the
 * federated ones, honouring `disabledExtensions`/`deferredExtensions`), with the core extension
 * list generated from @jupyterlab/core-meta (config.js) instead of a Handlebars template.
 */
import { JupyterPluginRegistry, PageConfig } from '@jupyterlab/coreutils';
import { JupyterLab } from '@jupyterlab/application';
import { IConnectionStatus, IServiceManager } from '@jupyterlab/services';
import {
  extensions as coreExtensions,
  mimeExtensions as coreMimeExtensions,
} from '@stagebook-lab-host/gen/extensions.js';
// One import per core package style (written by @jupyter/builder's Build.ensureAssets).
import '@stagebook-lab-host/gen/style.js';

const disabledExtensions = PageConfig.Extension.disabled;
const deferredExtensions = PageConfig.Extension.deferred;

/** `PageConfig.Extension.isDisabled` semantics: a full plugin id or its package name. */
function matches(list, id) {
  const sep = id.indexOf(':');
  const extName = sep === -1 ? '' : id.slice(0, sep);
  return list.some((val) => val === id || (extName && val === extName));
}

/** A federated module (`./extension`, `./mimeExtension`, `./style`) of a loaded container. */
async function createModule(scope, module) {
  try {
    const factory = await window._JUPYTERLAB[scope].get(module);
    return { scope, exports: factory() };
  } catch (e) {
    console.warn(`Failed to create module: package: ${scope}; module: ${module}`);
    throw e;
  }
}

/** Plugins of an extension module (ES module default export or CommonJS exports, one or many). */
function pluginsOf(exports) {
  const value = Object.prototype.hasOwnProperty.call(exports, '__esModule') ? exports.default : exports;
  return Array.isArray(value) ? value : [value];
}

/** Collects plugin metadata and the disabled/deferred lists while filtering out disabled plugins. */
function createRegistrar() {
  const state = { disabled: [], deferred: [], ignorePlugins: [], allPlugins: [] };
  state.active = ({ scope, exports }) => {
    const active = [];
    for (const plugin of pluginsOf(exports)) {
      const isDisabled = matches(disabledExtensions, plugin.id) || disabledExtensions.includes(scope);
      state.allPlugins.push({
        id: plugin.id,
        description: plugin.description,
        requires: plugin.requires ?? [],
        optional: plugin.optional ?? [],
        provides: plugin.provides ?? null,
        autoStart: plugin.autoStart,
        enabled: !isDisabled,
        extension: scope,
      });
      if (isDisabled) {
        state.disabled.push(plugin.id);
        continue;
      }
      if (matches(deferredExtensions, plugin.id)) {
        state.deferred.push(plugin.id);
        state.ignorePlugins.push(plugin.id);
      }
      active.push(plugin);
    }
    return active;
  };
  return state;
}

/** Core modules not replaced by a federated package of the same name (JupyterLab's rule). */
function loadCore(list, queuedFederated) {
  const loaded = [];
  for (const { name, load } of list) {
    if (queuedFederated.has(name)) continue;
    try {
      loaded.push({ scope: name, exports: load() });
    } catch (e) {
      console.error(e);
    }
  }
  return loaded;
}

async function settled(promises) {
  const out = [];
  for (const r of await Promise.allSettled(promises)) {
    if (r.status === 'fulfilled') out.push(r.value);
    else console.error(r.reason);
  }
  return out;
}

/** The main entry point: register every plugin and start JupyterLab. */
export async function main() {
  const federated = JSON.parse(PageConfig.getOption('federated_extensions') || '[]');
  const queuedFederated = new Set();
  const extensionPromises = [];
  const mimePromises = [];
  const stylePromises = [];
  for (const data of federated) {
    const packageDisabled = disabledExtensions.includes(data.name);
    if (data.extension) {
      queuedFederated.add(data.name);
      extensionPromises.push(createModule(data.name, data.extension));
    }
    if (data.mimeExtension) {
      queuedFederated.add(data.name);
      mimePromises.push(createModule(data.name, data.mimeExtension));
    }
    if (data.style && !packageDisabled) stylePromises.push(createModule(data.name, data.style));
  }

  const reg = createRegistrar();
  const mimeModules = [...loadCore(coreMimeExtensions, queuedFederated), ...(await settled(mimePromises))];
  const mimeExtensions = mimeModules.flatMap(reg.active);
  const modules = [...loadCore(coreExtensions, queuedFederated), ...(await settled(extensionPromises))];
  const register = modules.flatMap(reg.active);
  await settled(stylePromises);

  const pluginRegistry = new JupyterPluginRegistry();
  pluginRegistry.registerPlugins(register);
  const connectionStatus = await pluginRegistry.resolveOptionalService(IConnectionStatus);
  const serviceManager = await pluginRegistry.resolveRequiredService(IServiceManager);

  const lab = new JupyterLab({
    pluginRegistry,
    serviceManager,
    mimeExtensions,
    connectionStatus,
    disabled: { matches: reg.disabled, patterns: disabledExtensions },
    deferred: { matches: reg.deferred, patterns: deferredExtensions },
    availablePlugins: reg.allPlugins,
  });
  // `exposeAppInBrowser` (set by stagebook_lab_server.py) makes `window.jupyterapp` available to the
  // tests, as in JupyterLab. Set before start so a test can wait on `jupyterapp.restored`.
  if ((PageConfig.getOption('exposeAppInBrowser') || '').toLowerCase() === 'true') {
    window.jupyterapp = lab;
  }
  await lab.start({ ignorePlugins: reg.ignorePlugins, bubblingKeydown: true });
}
