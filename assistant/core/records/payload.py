"""How a knowledge engine result travels to the recorder: the action server sends it
as Rasa custom json {"turn": ...}; in degraded mode the app builds it itself."""

from __future__ import annotations

from typing import Any

# Runner-up entries kept per turn.
RUNNERS_UP = 3


def knowledge_payload(result: Any) -> dict[str, Any]:
    """Answered or not, the best entry, its score and the runners-up."""
    hits = list(getattr(result, "hits", None) or [])
    best = hits[0] if hits else None
    return {
        "answered": bool(getattr(result, "answered", False) and best),
        "entry": best.entry_id if best else None,
        "score": round(float(best.score), 4) if best else None,
        "runners_up": [
            {"id": h.entry_id, "score": round(float(h.score), 4)}
            for h in hits[1 : 1 + RUNNERS_UP]
        ],
    }
