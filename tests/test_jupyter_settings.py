"""The course's JupyterLab settings: no "official Jupyter news?" prompt, no update check.

JupyterLab's own code decides what is in effect: jupyterlab.commands.get_app_dir
finds the settings folder and jupyterlab_server.settings_utils.get_settings
merges the overrides into the notification plugin's schema, exactly as the
running JupyterLab does when it serves the settings to the browser.
"""

from __future__ import annotations

import json

import pytest
from jupyterlab_server.settings_utils import get_settings

from helpers import jupyter_settings as js
from helpers.local import __main__ as cli


def _effective_notification_defaults(app_dir, schemas_dir, user_settings_dir):
    settings, _warnings = get_settings(
        str(app_dir / "settings"), str(schemas_dir), str(user_settings_dir), schema_name=js.NOTIFICATION_PLUGIN,
    )
    props = settings["schema"]["properties"]
    return props["fetchNews"]["default"], props["checkForUpdates"]["default"]


@pytest.fixture()
def schemas_dir():
    path = js.lab_app_dir() / "schemas"
    assert (path / "@jupyterlab" / "apputils-extension" / "notification.json").is_file(), "JupyterLab schemas missing"
    return path


def test_without_the_file_jupyterlab_would_ask(tmp_path, schemas_dir):
    """The check can fail: an app dir without the course file keeps JupyterLab's 'ask' default."""
    assert _effective_notification_defaults(tmp_path, schemas_dir, tmp_path / "user") == ("none", True)


def test_installed_file_turns_news_and_update_check_off(tmp_path, schemas_dir):
    path = js.install_lab_settings(tmp_path)
    assert path == tmp_path / "settings" / "overrides.d" / "openai-course.json"
    assert _effective_notification_defaults(tmp_path, schemas_dir, tmp_path / "user") == ("false", False)
    assert js.install_lab_settings(tmp_path) == path  # idempotent


def test_teachers_own_overrides_json_still_wins(tmp_path, schemas_dir):
    js.install_lab_settings(tmp_path)
    own = {js.NOTIFICATION_PLUGIN: {"fetchNews": "true"}}
    (tmp_path / "settings" / "overrides.json").write_text(json.dumps(own), encoding="utf-8")
    assert _effective_notification_defaults(tmp_path, schemas_dir, tmp_path / "user") == ("true", False)


def test_path_follows_jupyterlab_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("JUPYTERLAB_DIR", str(tmp_path))
    assert js.lab_settings_path() == tmp_path.resolve() / "settings" / "overrides.d" / "openai-course.json"


def test_fetch_step_writes_the_settings(tmp_path, monkeypatch, capsys):
    """The step `python -m helpers.local fetch` runs after the model download (the download itself is not rerun)."""
    monkeypatch.setenv("JUPYTERLAB_DIR", str(tmp_path))
    cli._install_lab_settings()
    assert (tmp_path / "settings" / "overrides.d" / "openai-course.json").is_file()
    assert "no news prompt" in capsys.readouterr().out


def test_setting_is_in_effect_for_this_venv(schemas_dir):
    """The environment running the tests (set up with the README's command) has the setting in effect."""
    app_dir = js.lab_app_dir()
    assert js.lab_settings_path(app_dir).is_file(), (
        f"{js.lab_settings_path(app_dir)} is missing: run `python -m helpers.local fetch` once in this venv"
    )
    assert _effective_notification_defaults(app_dir, schemas_dir, app_dir / "no-user-settings") == ("false", False)
