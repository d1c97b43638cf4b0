"""Custom actions of the Rasa assistant (``python -m rasa_sdk --actions actions``).

Every module here is imported when the action server starts, so nothing heavy happens at
import time: the knowledge base, the gazetteer and the drafts store load lazily through
:mod:`actions.services`.
"""
