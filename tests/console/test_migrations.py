"""The first migration adopts the drafts table of databases made before migrations:
an empty database and one holding drafts both upgrade in place, drafts intact."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import create_engine, inspect, text

from assistant.core.drafts import DraftStore, normalise_url
from assistant.core.records import migrate
from assistant.core.records.store import RecordStore

from .conftest import Fresh

CONSOLE_TABLES = {
    "chat_turns",
    "eligibility_verdicts",
    "feedback",
    "handoff_requests",
    "review_decisions",
}


def _tables(url: str) -> set[str]:
    engine = create_engine(normalise_url(url))
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_an_empty_database_gets_every_table_and_the_head_revision(
    fresh_url: Fresh,
) -> None:
    url = fresh_url()
    store = RecordStore(url)
    try:
        assert migrate.current(store.engine) == migrate.head() == "0001"
    finally:
        store.close()
    assert {"draft_applications", "alembic_version"} | CONSOLE_TABLES <= _tables(url)
    # A draft can then be saved and read back by the drafts store.
    drafts = DraftStore(url)
    draft, token = drafts.create({"city": "Ottawa", "country": "CA"})
    assert drafts.get(draft.id, token) is not None
    drafts.close()


def test_a_database_with_drafts_upgrades_in_place_keeping_them(
    fresh_url: Fresh,
) -> None:
    url = fresh_url()
    old = DraftStore(url)  # what every database looked like before migrations
    saved = [old.create({"city": c, "country": "CA"}) for c in ("Ottawa", "Laval")]
    old.close()
    assert "alembic_version" not in _tables(url)

    RecordStore(url).close()
    RecordStore(url).close()  # a second start finds nothing to do

    drafts = DraftStore(url)
    for draft, token in saved:
        kept = drafts.get(draft.id, token)
        assert kept is not None and kept.fields["city"] == draft.fields["city"]
    assert len(drafts.list_all()) == 2
    drafts.close()
    assert _tables(url) >= CONSOLE_TABLES


def test_downgrade_removes_the_records_but_never_the_drafts(fresh_url: Fresh) -> None:
    url = fresh_url()
    store = RecordStore(url)
    engine = store.engine
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO draft_applications VALUES "
                "('00000000-0000-4000-8000-000000000000', 'h', '{}', :t, :t)"
            ),
            {"t": datetime.now(UTC)},
        )
    migrate.downgrade(engine, "base")
    store.close()
    tables = _tables(url)
    assert "draft_applications" in tables and not CONSOLE_TABLES & tables
