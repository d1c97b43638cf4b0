"""The longest user message, in characters: the one limit that the chat and search
APIs, the knowledge engine, the widget and the API documentation all state.

Longer than any question or answer to a form question; a message the engine can
always search (the embedding model reads its first 256 tokens anyway). The widget
keeps its own copy of the number (assistant/web/static/widget.js, MAX_CHARS).
"""

MAX_MESSAGE_CHARS = 2000
