"""``python -m assistant.web``: serve the web app with uvicorn on the configured
host and port.

A configuration that cannot work (invalid settings, unusable database URL) stops here
with one line that says what to fix, instead of a traceback.
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

if TYPE_CHECKING:
    from assistant.core.settings import Settings


def _fail(message: str) -> int:
    print(f"assistant: {message}", file=sys.stderr)
    return 2


def server_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's options: X-Forwarded-For names the client only when one of the
    trusted proxies sends it (uvicorn takes the last address no trusted proxy added)."""
    return {
        "host": settings.app.host,
        "port": settings.app.port,
        "proxy_headers": bool(settings.app.trusted_proxies),
        "forwarded_allow_ips": settings.app.trusted_proxies or None,
        "server_header": False,
    }


def main() -> int:
    try:
        from assistant.core.settings import Settings

        settings = Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        where = "__".join(str(p) for p in first.get("loc", ())).upper()
        return _fail(f"invalid setting IUC_{where}: {first.get('msg')}")

    from assistant.core.drafts import DraftStore, DraftStoreError

    try:
        DraftStore(settings.database.url).close()
    except DraftStoreError as exc:
        return _fail(f"{exc} (check IUC_DATABASE__URL)")

    import uvicorn

    from assistant.web.app import create_app

    logging.basicConfig(
        level=logging.INFO, format="%(levelname)s %(name)s: %(message)s"
    )
    app = create_app(settings, warm_up=True)
    try:
        uvicorn.run(app, **server_options(settings))
    except OSError as exc:
        return _fail(f"cannot listen on {settings.app.host}:{settings.app.port}: {exc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
