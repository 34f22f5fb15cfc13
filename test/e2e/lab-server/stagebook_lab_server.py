#!/usr/bin/python3
"""Serve the test-only JupyterLab 4.6 host (test/e2e/lab-host/build) with Debian's
jupyter_server 1.23 + jupyterlab_server 2.16, for the end-to-end test.

JupyterLab itself is not packaged by Debian and PyPI is unreachable, so this small LabServerApp
subclass plays the part of the `jupyterlab` Python package. Every workaround below is a measured
fact of this pairing (docs: /work/shared/notes/jupyterlab-e2e.md, "Server-side gotchas").

Usage (Debian's python explicitly: a pyenv python3 shadows it on PATH):
  /usr/bin/python3 stagebook_lab_server.py --host-build DIR --root-dir DIR --state-dir DIR \
      --port N --token T [--labextensions-dir DIR ...] [--disable-extension ID ...] [--node-bin DIR]

--state-dir must be a fresh directory per run: it holds the user settings and workspaces (or old
tabs come back), the app settings (overrides.json, page_config.json), the Jupyter config/data/
runtime dirs and the JUPYTER_PATH with the `tslab` kernel spec.
"""
import argparse
import json
import os
import sys

from jupyter_server.base.handlers import APIHandler, JupyterHandler
from jupyter_server.base.zmqhandlers import WebSocketMixin
from jupyterlab_server import LabServerApp
from tornado import web
from tornado.websocket import WebSocketHandler
from traitlets import default

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))

# Filled by main() before the application class is instantiated (read by the trait defaults).
OPTIONS = {}

# Plugins with no server side here: jupyter-lsp is not installed and tslab has no debugger. The lsp
# and debugger extension packages are also left out of the host build (lab-host/config.js).
DISABLED_EXTENSIONS = [
    "@jupyterlab/lsp-extension",
    "@jupyterlab/debugger-extension",
    "@jupyterlab/notebook-extension:language-server",
    "@jupyterlab/fileeditor-extension:language-server",
]

# Setting defaults for this test server (jupyterlab_server reads <app_settings_dir>/overrides.json).
OVERRIDES = {
    # No news toast and no "would you like news?" question (it would fetch from the internet).
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
}


class MeHandler(APIHandler):
    """`GET /api/me` (jupyter_server >= 2.0): JupyterLab 4's user manager asks who is logged in."""

    @web.authenticated
    def get(self):
        name = "stagebook-e2e"
        identity = {"username": name, "name": name, "display_name": name, "initials": "SE",
                    "avatar_url": None, "color": None}
        self.finish(json.dumps({"identity": identity, "permissions": {}}))


class EventsSubscribeHandler(WebSocketMixin, WebSocketHandler, JupyterHandler):
    """`/api/events/subscribe` (jupyter_server >= 2.0): JupyterLab 4's event manager opens this
    websocket at start-up. This server emits no events: accept and stay silent."""

    def set_default_headers(self):
        # JupyterHandler's headers (CSP etc.) make no sense on a websocket upgrade.
        pass

    async def get(self, *args, **kwargs):
        # Same rule as the kernel websocket (AuthenticatedZMQStreamHandler.pre_get): token first.
        if self.get_current_user() is None:
            # A bare 403: JupyterHandler's HTML error page needs templates this app does not have.
            self.set_status(403)
            self.finish()
            return
        await super().get(*args, **kwargs)

    def on_message(self, message):
        pass


def drop_stale_not_found_url(handler, page_config):
    """page_config_hook. jupyterlab_server 2.16's NotFoundHandler writes `notFoundUrl` into the
    page_config dict SHARED by all handlers (settings["page_config_data"]): after one unknown
    /lab/... URL every later page load would show "not found". NotFoundHandler sets the key again
    after this hook, so only its own page keeps it."""
    page_config.pop("notFoundUrl", None)
    # JupyterLab's ServerConnection reads the token from page config (`PageConfig.getToken`).
    page_config["token"] = OPTIONS["token"]
    # `window.jupyterapp` for the tests (lab-host/src/index.js), as JupyterLab's own index.js.
    page_config["exposeAppInBrowser"] = True
    return page_config


class StagebookLabServer(LabServerApp):
    """The lab application: the host build as static/template/schema/theme dirs, federated
    extensions from the given labextensions directories only."""

    # A fixed name (e.g. "lab") gave `KeyError: 'lab'` in jupyter_server 1.23's extension manager:
    # the name must be the extension's module name.
    name = __name__
    app_name = "JupyterLab"
    load_other_extensions = False  # hermetic: no server extension installed on this machine

    @default("app_version")
    def _app_version(self):
        # The host's own install (test/e2e/lab-host/install.js): the repository's has no @jupyterlab.
        meta = os.path.join(REPO, "test", "e2e", "lab-host", "node_modules", "@jupyterlab", "core-meta")
        with open(os.path.join(meta, "package.json"), encoding="utf-8") as f:
            return json.load(f)["version"]

    @default("static_dir")
    def _static_dir(self):
        return OPTIONS["static_dir"]

    @default("templates_dir")
    def _templates_dir(self):
        return OPTIONS["templates_dir"]

    @default("schemas_dir")
    def _schemas_dir(self):
        return OPTIONS["schemas_dir"]

    @default("themes_dir")
    def _themes_dir(self):
        return OPTIONS["themes_dir"]

    @default("app_settings_dir")
    def _app_settings_dir(self):
        return OPTIONS["app_settings_dir"]

    @default("user_settings_dir")
    def _user_settings_dir(self):
        return OPTIONS["user_settings_dir"]

    @default("workspaces_dir")
    def _workspaces_dir(self):
        return OPTIONS["workspaces_dir"]

    @default("labextensions_path")
    def _labextensions_path(self):
        # Only the test's install location, not ~/.local or /usr/share/jupyter/labextensions.
        return OPTIONS["labextensions_path"]

    def initialize_settings(self):
        super().initialize_settings()
        self.settings["page_config_hook"] = drop_stale_not_found_url

    def initialize_handlers(self):
        super().initialize_handlers()
        self.handlers.append((r"/api/me", MeHandler))
        self.handlers.append((r"/api/events/subscribe", EventsSubscribeHandler))


def _jupyter_server_extension_points():
    return [{"module": __name__, "app": StagebookLabServer}]


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host-build", required=True, help="test/e2e/lab-host/build")
    p.add_argument("--root-dir", required=True, help="server root (notebooks)")
    p.add_argument("--state-dir", required=True, help="fresh per-run directory for settings etc.")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--token", required=True)
    p.add_argument("--labextensions-dir", action="append", default=[],
                   help="a share/jupyter/labextensions directory (repeatable)")
    p.add_argument("--disable-extension", action="append", default=[],
                   help="a plugin id or extension package to add to disabledExtensions (repeatable)")
    p.add_argument("--node-bin", default=os.path.join(REPO, "node_modules", ".bin"),
                   help="directory with the `tslab` command (put first on the kernels' PATH)")
    return p.parse_args(argv)


def prepare_state(args):
    """Creates the per-run directories and files; points Jupyter's path variables at them."""
    state = os.path.abspath(args.state_dir)
    dirs = {k: os.path.join(state, k) for k in
            ("settings", "workspaces", "app-settings", "config", "data", "runtime", "jupyter-path")}
    for d in dirs.values():
        os.makedirs(d, exist_ok=True)
    with open(os.path.join(dirs["app-settings"], "overrides.json"), "w", encoding="utf-8") as f:
        json.dump(OVERRIDES, f, indent=2)
    # jupyterlab_server turns this file's list into page config `disabledExtensions`.
    with open(os.path.join(dirs["app-settings"], "page_config.json"), "w", encoding="utf-8") as f:
        json.dump({"disabledExtensions": DISABLED_EXTENSIONS + args.disable_extension}, f, indent=2)
    spec_dir = os.path.join(dirs["jupyter-path"], "kernels", "tslab")
    os.makedirs(spec_dir, exist_ok=True)
    with open(os.path.join(spec_dir, "kernel.json"), "w", encoding="utf-8") as f:
        json.dump({"argv": ["tslab", "kernel", "--config-path", "{connection_file}"],
                   "display_name": "TypeScript", "language": "typescript"}, f, indent=2)
    # Read when the server computes its paths (jupyter_core looks them up per call): no user
    # config, kernel or extension of this machine leaks into the test.
    os.environ["JUPYTER_CONFIG_DIR"] = dirs["config"]
    os.environ["JUPYTER_DATA_DIR"] = dirs["data"]
    os.environ["JUPYTER_RUNTIME_DIR"] = dirs["runtime"]
    os.environ["JUPYTER_PATH"] = dirs["jupyter-path"]
    os.environ["JUPYTER_PLATFORM_DIRS"] = "0"
    # The kernel spec runs `tslab`: it must be on the PATH the kernel manager passes on.
    os.environ["PATH"] = os.path.abspath(args.node_bin) + os.pathsep + os.environ.get("PATH", "")
    return dirs


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    dirs = prepare_state(args)
    build = os.path.abspath(args.host_build)
    for sub in ("static", "templates", "schemas", "themes"):
        if not os.path.isdir(os.path.join(build, sub)):
            sys.exit(f"stagebook_lab_server: {build}/{sub} is missing: run node test/e2e/lab-host/build.js")
    OPTIONS.update(
        static_dir=os.path.join(build, "static"),
        templates_dir=os.path.join(build, "templates"),
        schemas_dir=os.path.join(build, "schemas"),
        themes_dir=os.path.join(build, "themes"),
        app_settings_dir=dirs["app-settings"],
        user_settings_dir=dirs["settings"],
        workspaces_dir=dirs["workspaces"],
        labextensions_path=[os.path.abspath(d) for d in args.labextensions_dir],
        token=args.token,
    )
    StagebookLabServer.launch_instance([
        "--ServerApp.ip=127.0.0.1",  # loopback only
        f"--ServerApp.port={args.port}",
        "--ServerApp.port_retries=0",  # the caller chose the port: fail instead of moving
        "--ServerApp.open_browser=False",
        f"--ServerApp.root_dir={os.path.abspath(args.root_dir)}",
        f"--ServerApp.token={args.token}",
        "--ServerApp.password=",
        "--ServerApp.allow_remote_access=False",
        # CI containers run as root; jupyter_server refuses that by default.
        "--ServerApp.allow_root=True",
        # Only the tslab spec exists (JUPYTER_PATH above): no "native kernel" lookup for python3.
        "--KernelSpecManager.ensure_native_kernel=False",
        "--MappingKernelManager.default_kernel_name=tslab",
        # Quiet unless something fails: the test shows this log when the server misbehaves.
        "--ServerApp.log_level=WARN",
    ])


if __name__ == "__main__":
    # Re-import this file under its module name: jupyter_server finds an extension app through
    # its module (`_jupyter_server_extension_points`), and `__main__` is not a usable name.
    sys.dont_write_bytecode = True  # no __pycache__ in the source tree
    sys.path.insert(0, HERE)
    import stagebook_lab_server

    stagebook_lab_server.main()
