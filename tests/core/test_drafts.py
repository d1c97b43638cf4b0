"""The drafts store on SQLite and on PostgreSQL (a throwaway server from the shared
``postgres_url`` fixture, or IUC_TEST_POSTGRES_URL)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError

from assistant.core.drafts import DraftStore, DraftStoreError, hash_token, resume_url


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[DraftStore]:
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_url")
    else:
        url = f"sqlite:///{tmp_path / 'nested' / 'folder' / 'app.db'}"
    draft_store = DraftStore(url)
    yield draft_store
    draft_store.close()


def test_a_draft_survives_a_restart(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'var' / 'app.db'}"
    draft, token = DraftStore(url).create({"city": "Ottawa", "country": "CA"})
    reopened = DraftStore(url).get(draft.id, token)
    assert reopened is not None and reopened.fields["city"] == "Ottawa"


def test_text_is_stored_as_typed_only_trimmed(store: DraftStore) -> None:
    fields = {
        "city": "  Saint-Jean-sur-Richelieu ",
        "motivation": "«Ñandú» 🚲\n<b>bold</b>",
        "themes": ["housing"],
        "population": 100_000,
    }
    draft, token = store.create(fields)
    loaded = store.get(draft.id, token)
    assert loaded is not None
    assert loaded.fields == {**fields, "city": "Saint-Jean-sur-Richelieu"}


def test_the_store_refuses_what_the_draft_model_refuses(store: DraftStore) -> None:
    with pytest.raises(ValidationError):
        store.create({"city": "Ottawa", "contact_email": "not an address"})
    draft, token = store.create({"city": "Ottawa"})
    with pytest.raises(ValidationError):
        store.update(draft.id, token, {"country": "Narnia"})
    loaded = store.get(draft.id, token)
    assert loaded is not None and "country" not in loaded.fields


def test_tokens_are_long_random_and_only_hashed(store: DraftStore) -> None:
    draft, token = store.create({"city": "A"})
    other, other_token = store.create({"city": "B"})
    assert len(token) >= 43 and token != other_token
    assert draft.id != other.id
    with store.engine.connect() as conn:
        stored = conn.exec_driver_sql(
            "SELECT token_hash FROM draft_applications WHERE id = "
            + ("?" if store.url.get_backend_name() == "sqlite" else "%s"),
            (draft.id,),
        ).scalar_one()
    assert stored == hash_token(token) and token not in stored


def test_wrong_token_or_unknown_id_gives_nothing(store: DraftStore) -> None:
    draft, token = store.create({"city": "A"})
    _, other_token = store.create({"city": "B"})
    assert store.get(draft.id, other_token) is None
    assert store.get(draft.id, "") is None
    assert store.get("not-a-uuid", token) is None
    assert store.update(draft.id, other_token, {"city": "hijacked"}) is None
    loaded = store.get(draft.id, token)
    assert loaded is not None and loaded.fields["city"] == "A"


def test_update_merges_and_concurrent_updates_lose_nothing(store: DraftStore) -> None:
    draft, token = store.create({"city": "A"})

    # Eight autosaves of eight different fields at once (the draft model's fields).
    changes = {
        "region": "Ontario",
        "population": 8,
        "group_of_municipalities": True,
        "contact_name": "Jane Doe",
        "contact_email": "jane@example.org",
        "role": "Mayor",
        "themes": ["housing"],
        "motivation": "A motivation long enough.",
    }

    def save(name: str) -> None:
        store.update(draft.id, token, {name: changes[name]})

    threads = [threading.Thread(target=save, args=(name,)) for name in changes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    loaded = store.get(draft.id, token)
    assert loaded is not None
    assert loaded.fields["city"] == "A"
    assert all(loaded.fields[name] == value for name, value in changes.items())


def test_list_all_sees_every_draft(store: DraftStore) -> None:
    ids = {store.create({"city": c})[0].id for c in ("A", "B")}
    assert ids <= {d.id for d in store.list_all()}


def test_resume_url_keeps_the_token_in_the_fragment() -> None:
    url = resume_url("https://iuc.example/", "abc", "tok")
    assert url == "https://iuc.example/drafts/abc#token=tok"


def test_bad_urls_raise_one_clear_error(tmp_path: Path) -> None:
    for url, needle in [
        ("not a url", "invalid database URL"),
        ("mysqlx://u@h/db", "unsupported database URL"),
        ("postgresql://u:pw@127.0.0.1:1/db", "cannot open database"),
    ]:
        with pytest.raises(DraftStoreError, match=needle) as info:
            DraftStore(url)
        assert "pw" not in str(info.value)
