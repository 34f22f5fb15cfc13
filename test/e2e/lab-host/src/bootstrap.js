/*
 * Entry of the host: the same start-up sequence as JupyterLab's staging `bootstrap.js`.
 * 1. Point the chunk loader at the server's static URL (page config `fullStaticUrl`).
 * 2. Load the `remoteEntry` of every federated extension listed in page config
 *    `federated_extensions` and initialise its container with our `default` share scope, BEFORE
 *    any shared module is used, so that the share scope knows every provider.
 * 3. Import the application (src/index.js) and start it.
 * Nothing may be imported statically here: a static import would run before step 1.
 */

// A copy of PageConfig.getOption's parsing (@jupyterlab/coreutils is not loaded yet).
let configData = null;
function getOption(name) {
  if (configData === null) {
    const el = document.getElementById('jupyter-config-data');
    configData = el ? JSON.parse(el.textContent || '{}') : {};
  }
  return configData[name] || '';
}

// eslint-disable-next-line no-undef
__webpack_public_path__ = getOption('fullStaticUrl') + '/';

function loadScript(url) {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.onerror = () => reject(new Error(`could not load ${url}`));
    script.onload = resolve;
    script.async = true;
    document.head.appendChild(script);
    script.src = url;
  });
}

async function loadContainer(url, scope) {
  await loadScript(url);
  // https://webpack.js.org/concepts/module-federation/#dynamic-remote-containers
  // eslint-disable-next-line no-undef
  await __webpack_init_sharing__('default');
  const container = window._JUPYTERLAB[scope];
  if (!container) throw new Error(`${url} did not define window._JUPYTERLAB[${JSON.stringify(scope)}]`);
  // eslint-disable-next-line no-undef
  await container.init(__webpack_share_scopes__.default);
}

void (async function bootstrap() {
  const federated = getOption('federated_extensions') || [];
  const baseUrl = getOption('fullLabextensionsUrl');
  // As JupyterLab does, every listed extension is loaded, even a disabled one: its container may
  // provide shared modules. Disabled plugins are skipped later (src/index.js).
  const results = await Promise.allSettled(
    federated.map((data) => loadContainer(`${baseUrl}/${data.name}/${data.load}`, data.name)),
  );
  results.forEach((r) => {
    if (r.status === 'rejected') console.error(r.reason);
  });
  const { main } = await import('./index.js');
  // JupyterLab starts on `load` (all CSS applied). The remote entries above can delay the import
  // past that event, so start at once if the page has already loaded.
  if (document.readyState === 'complete') {
    void main();
  } else {
    window.addEventListener('load', () => void main());
  }
})();
