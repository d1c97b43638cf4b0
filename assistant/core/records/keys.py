"""When two recorded questions are the same question: case, spacing and final
punctuation aside. ``question_key`` names a question in the review and vector tables."""

from __future__ import annotations

import hashlib
import re

_SPACE = re.compile(r"\s+")
_TRAILING = re.compile(r"[\s?!.¿¡]+$")


def normalise(text: str) -> str:
    """Case, spacing and final punctuation do not make another question."""
    return _TRAILING.sub("", _SPACE.sub(" ", text.strip().lower()))


def question_key(text: str) -> str:
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()
