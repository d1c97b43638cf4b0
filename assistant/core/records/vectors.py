"""Embeddings of the questions the console groups, kept in memory and in the database
(per model), so each question is embedded once: in the background as it is recorded,
or at the latest on the first page that shows it, and never again after a restart."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

import numpy as np
from sqlalchemy import Engine, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from assistant.core.records.keys import question_key
from assistant.core.records.models import QuestionVector

Encode = Callable[[list[str]], np.ndarray]


class QuestionVectors:
    MEMORY = 20_000

    def __init__(self, engine: Engine, model: str, encode: Encode) -> None:
        self.engine = engine
        self.model = model[:200]
        self._encode = encode
        self._memory: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, texts: list[str]) -> np.ndarray:
        """One L2-normalised row per text."""
        keys = [question_key(t) for t in texts]
        with self._lock:
            missing = {k: t for k, t in zip(keys, texts, strict=True)}
            missing = {k: t for k, t in missing.items() if k not in self._memory}
        if missing:
            self._load(missing)
        if missing:
            self._embed(missing)
        with self._lock:
            return np.stack([self._memory[k] for k in keys])

    def _remember(self, key: str, vector: np.ndarray) -> None:
        with self._lock:
            self._memory[key] = vector
            self._memory.move_to_end(key)
            while len(self._memory) > self.MEMORY:
                self._memory.popitem(last=False)

    def _load(self, missing: dict[str, str]) -> None:
        keys = list(missing)
        with Session(self.engine) as session:
            for start in range(0, len(keys), 500):
                rows = session.execute(
                    select(QuestionVector.key, QuestionVector.vector).where(
                        QuestionVector.model == self.model,
                        QuestionVector.key.in_(keys[start : start + 500]),
                    )
                )
                for key, blob in rows:
                    self._remember(key, np.frombuffer(blob, dtype=np.float32))
                    missing.pop(key, None)

    def _embed(self, missing: dict[str, str]) -> None:
        keys = list(missing)
        vectors = np.asarray(self._encode(list(missing.values())), dtype=np.float32)
        rows = [
            {"key": k, "model": self.model, "vector": v.tobytes()}
            for k, v in zip(keys, vectors, strict=True)
        ]
        for key, vector in zip(keys, vectors, strict=True):
            self._remember(key, vector)
        dialect = self.engine.dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = insert(QuestionVector).on_conflict_do_nothing()
        with self.engine.begin() as connection:
            connection.execute(statement, rows)
