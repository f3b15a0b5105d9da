"""JupyterLab settings that ship with the course: no news prompt, no update check.

On its first start JupyterLab asks "Would you like to get notified about official
Jupyter news?" and, once allowed, fetches a news feed and checks for updates on
the internet. A class that works offline should see neither the prompt nor the
failed requests, so the course turns both off for its own virtual environment.

Why a file written by ``python -m helpers.local fetch`` (the README's setup
command runs it right after ``pip install``) rather than a data file of the
package: the course installs itself with ``pip install -e .``, and setuptools'
editable installs do not copy ``data_files`` (measured: a regular install puts
the file in place, an editable one does not).

The file goes to ``<app dir>/settings/overrides.d/openai-course.json``, where
``<app dir>`` is what JupyterLab itself uses (``jupyterlab.commands.get_app_dir``:
``{sys.prefix}/share/jupyter/lab`` unless ``JUPYTERLAB_DIR`` says otherwise).
jupyterlab_server merges every ``overrides.d/*.json`` below the single
``overrides.json``, so a teacher's own ``overrides.json`` is left alone and still
wins.  The settings only change defaults: a learner can turn news back on in
Settings → Notifications.
"""

from __future__ import annotations

import json
from pathlib import Path

#: the JupyterLab plugin that asks for consent, fetches news and checks for updates
NOTIFICATION_PLUGIN = "@jupyterlab/apputils-extension:notification"
#: "false" is the schema's "Never" (the default "none" means "ask")
COURSE_LAB_SETTINGS = {NOTIFICATION_PLUGIN: {"fetchNews": "false", "checkForUpdates": False}}
SETTINGS_FILE_NAME = "openai-course.json"


def lab_app_dir() -> Path:
    """JupyterLab's application directory for this Python environment, as JupyterLab computes it."""
    from jupyterlab.commands import get_app_dir

    return Path(get_app_dir())


def lab_settings_path(app_dir: Path | None = None) -> Path:
    """Where the course's overrides file lives for this environment."""
    return (app_dir or lab_app_dir()) / "settings" / "overrides.d" / SETTINGS_FILE_NAME


def install_lab_settings(app_dir: Path | None = None) -> Path:
    """Write the course's JupyterLab overrides (idempotent) and return the file's path."""
    path = lab_settings_path(app_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(COURSE_LAB_SETTINGS, indent=1) + "\n"
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path
