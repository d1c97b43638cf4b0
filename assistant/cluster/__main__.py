"""``python -m assistant.cluster`` (``make run-cluster``): PostgreSQL and Redis
(Debian's packages, or the servers the settings name), N Rasa servers, M action servers
and the web app on this host. Settings: ``IUC_CLUSTER__*``, ``IUC_REDIS__URL``
(.env.example).
"""

from __future__ import annotations

import os
import sys

from pydantic import ValidationError

from assistant.core.settings import PROJECT_ROOT, Settings


def main() -> int:
    # Relative paths in settings (.env) are relative to the project root.
    os.chdir(PROJECT_ROOT)
    try:
        settings = Settings()
    except ValidationError as error:
        first = error.errors()[0]
        where = "__".join(str(part) for part in first["loc"]).upper()
        print(f"error: setting IUC_{where}: {first['msg']}", file=sys.stderr)
        return 2
    from assistant.cluster.supervisor import run

    return run(settings)


if __name__ == "__main__":
    raise SystemExit(main())
