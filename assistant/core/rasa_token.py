"""The token of Rasa's HTTP API, shared by the process that starts Rasa and the app.

Rasa's HTTP API (``--enable-api``) serves every conversation's tracker to whoever
asks; with ``--auth-token`` only holders of the token. ``rasa.auth_token`` sets it;
left empty, the Rasa launcher draws a fresh one at each start and writes it to
``rasa.auth_token_file`` (mode 0600, replaced atomically), which the app reads,
and reads again when Rasa answers 401 (Rasa restarted with a new token). It reaches
Rasa through the environment, never the command line (``/proc/*/cmdline`` is
readable by every local user).
"""

from __future__ import annotations

import os
import secrets
import tempfile

from assistant.core.settings import Settings

# How the launcher hands the token to assistant/rasa_runtime/server.py.
ENV_VAR = "IUC_RASA_AUTH_TOKEN"


def configured(settings: Settings) -> str:
    return settings.rasa.auth_token.get_secret_value()


def new_token(settings: Settings) -> str:
    """The token for a Rasa starting now: the setting, else a fresh one saved."""
    if token := configured(settings):
        return token
    token = secrets.token_urlsafe(32)
    path = settings.rasa.auth_token_file
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".rasa-token-")
    try:
        with os.fdopen(descriptor, "w") as handle:  # mkstemp: mode 0600
            handle.write(token)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
    return token


def current_token(settings: Settings) -> str:
    """The token the running Rasa expects, as far as this process can know."""
    if token := configured(settings):
        return token
    try:
        return settings.rasa.auth_token_file.read_text().strip()
    except OSError:
        return ""
