"""Framework-free code shared by the web app and the action server (``.venv``)."""
