"""Custom actions of the Rasa assistant (``python -m rasa_sdk --actions actions``).

Every module here is imported when the action server starts, so nothing heavy happens at
import time: the knowledge base, the gazetteer and the drafts store load lazily through
:mod:`actions.services`.
"""

import os

# The launcher asks for a warm-up; only Sanic's worker process (not the supervising
# main process, which imports this package too) serves requests and needs the models.
if os.environ.get("IUC_ACTIONS_WARM_UP") == "1" and os.environ.get("SANIC_WORKER_NAME"):
    from actions.services import start_warm_up

    start_warm_up()
