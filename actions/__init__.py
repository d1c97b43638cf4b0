"""Custom actions of the Rasa assistant, served by rasa-sdk (``python -m actions``).

Every module here is imported when the action server starts, so nothing heavy happens at
import time: the knowledge base, the gazetteer and the drafts store are reached through
the shared service layer (:mod:`assistant.core.services`), which ``python -m actions``
loads before the server takes its first request.
"""
