"""The assistant's processes, one folder per runtime (docs/ARCHITECTURE.md):

- ``core/``: framework-free code shared by the web app and the action server (settings,
  the service layer, the drafts store); ``.venv``.
- ``web/``: the FastAPI app (API, widget, pages); ``.venv``.
- ``rasa_runtime/``: what Rasa loads in ``.venv-rasa`` (NLU components, server wrapper).
- ``nlu_training/``: build-time generation of NLU examples, run by ``make train``.
- ``launch.py``: starts each process with values from the settings.
"""
