"""Custom actions of the Rasa assistant, served by rasa-sdk (``python -m rasa_sdk
--actions actions``).

Every module here is imported when the action server starts, so nothing heavy happens at
import time: the knowledge base, the gazetteer and the drafts store are reached through
the shared service layer (:mod:`assistant.core.services`).
"""

from actions.warm_up import register

# Here, not in a __main__: Sanic's worker processes import this package (to rebuild
# the actions) before they build their app, and only then is the plugin's listener
# attached; it loads the services when the worker starts.
register()
