"""The FastAPI web app: API, widget and pages (``python -m assistant.web``)."""
