'use strict';
// See package.json: a build-time stand-in; loading it means something bundled what JupyterLab provides.
throw new Error(
  '@jupyterlab/markedparser-extension is a build-time stand-in in this repository (jupyter-extension/stubs): JupyterLab provides the real package at run time',
);
