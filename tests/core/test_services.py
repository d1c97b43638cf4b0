"""The service layer: each service built once, real loading, fakes for tests."""

from __future__ import annotations

from pathlib import Path

from assistant.core.services import Services
from assistant.core.settings import Settings


def _settings(tmp_path: Path) -> Settings:
    return Settings(
        database={"url": f"sqlite:///{tmp_path / 'app.db'}"},  # type: ignore[arg-type]
        knowledge={"index_dir": tmp_path / "no-index"},  # type: ignore[arg-type]
    )


def test_warm_up_loads_the_real_services_once(tmp_path: Path) -> None:
    services = Services(_settings(tmp_path))
    services.warm_up(answerer=False)
    assert services.facts().population_threshold == 100_000
    assert services.gazetteer().lookup("Winnipeg", country="CA")
    draft, token = services.drafts().create({"city": "Winnipeg"})
    assert services.drafts().get(draft.id, token) is not None
    # Built once: the same objects on every call.
    assert services.facts() is services.facts()
    assert services.drafts() is services.drafts()
    services.close()


def test_a_failing_service_does_not_stop_the_warm_up_of_the_others(
    tmp_path: Path,
) -> None:
    settings = _settings(tmp_path)
    settings.database.url = "sqlite:////proc/no/such/dir/app.db"
    services = Services(settings)
    services.warm_up(answerer=False)
    assert services.loaded("facts") and services.loaded("gazetteer")
    assert not services.loaded("drafts")


def test_an_override_replaces_a_service(tmp_path: Path) -> None:
    services = Services(_settings(tmp_path))
    fake = object()
    services.override("answerer", fake)
    assert services.answerer() is fake
