"""Journey benchmark: what a user gets through /api/chat, beside the engine alone.

    .venv/bin/python scripts/bench_chat_quality.py --start-stack [--limit 40] [--json]
    .venv/bin/python scripts/bench_chat_quality.py --url http://127.0.0.1:8000 \\
        --rasa-url http://127.0.0.1:5005

Two sets, one fresh session per question, no language hint (as a new visitor types):

- knowledge/eval/test.jsonl through /api/chat: the entry answered (``answer_id`` of the
  reply) against the expected one, or a decline for out-of-scope questions; in the same
  run, the engine alone on the same questions (/api/search, no language hint). A
  question about a named city that the chat hands to the self-check counts as answered
  when the verdict it reaches within one confirmation answers it (SELF_CHECK_ANSWERS).
  ``--set`` reads another labelled set instead, e.g. a blind set whose lines carry a
  kind (answerable / unknown / out_of_scope) and the entries that answer them; an
  unknown is right when answered by an entry saying the sources do not say, or declined.
- tests/data/eligibility_messages.jsonl (one-message eligibility questions with the
  verdict the gazetteer's populations and the call's rules give): the bot's follow-ups
  are answered as a user would (yes to a confirmation, the first choice of "several
  places are called X", "no" to the group question) and the verdict is read from the
  conversation (Rasa's tracker). Reported: verdicts reached within one confirmation
  (a yes or a choice; the group question is counted apart), right verdicts, and places
  invented (a city the bot settled on that the message does not name).

--start-stack starts Rasa, the action server and the app on free ports (as the tests
do); otherwise the running ones at --url and --rasa-url are used.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

# Run as a plain script (make bench): make the project's packages importable.
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.core.rasa_token import current_token  # noqa: E402
from assistant.core.settings import get_settings  # noqa: E402
from knowledge.language import LANGUAGES, fold_words  # noqa: E402
from tests.live_stack import running_stack  # noqa: E402

TEST_SPLIT = ROOT / "knowledge" / "eval" / "test.jsonl"
ELIGIBILITY_SET = ROOT / "tests" / "data" / "eligibility_messages.jsonl"
# Follow-ups answered before a journey counts as stuck.
MAX_FOLLOW_UPS = 4
# "Could Hamilton, Ontario take part?": the chat hands a question about a named city to
# the self-check. Its verdict answers the question when it is one of these, reached
# within one confirmation; any other self-check is a miss.
SELF_CHECK_ANSWERS = {
    "eligibility-who-can-apply": {"encouraged", "below_threshold"},
    "eligibility-population-threshold": {"encouraged", "below_threshold"},
    "eligibility-smaller-cities": {"below_threshold"},
    "eligibility-groups-of-municipalities": {"encouraged", "below_threshold"},
    "other-regions-eu-city": {"wrong_region"},
    "other-regions-latin-america": {"wrong_region"},
    "other-regions-elsewhere": {"wrong_region"},
    "other-regions-asia": {"wrong_region"},
}


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@dataclass
class Turn:
    messages: list[dict[str, Any]]
    fallback: bool
    session_id: str
    seconds: float

    @property
    def answer_id(self) -> str | None:
        ids = [m["answer_id"] for m in self.messages if m.get("answer_id")]
        return ids[0] if ids else None

    @property
    def buttons(self) -> list[dict[str, str]]:
        return self.messages[-1].get("buttons", []) if self.messages else []

    @property
    def text(self) -> str:
        return " ".join(m.get("text", "") for m in self.messages)


class Client:
    def __init__(self, url: str, rasa_url: str, rasa_token: str = "") -> None:
        self.url, self.rasa_url = url, rasa_url
        # Rasa's HTTP API (the tracker, for the verdict slot) wants its token.
        self.rasa_token = rasa_token
        self.http = httpx.Client(timeout=60)

    def chat(self, message: str, session_id: str | None = None) -> Turn:
        body: dict[str, Any] = {"message": message}
        if session_id:
            body["session_id"] = session_id
        start = time.perf_counter()
        response = self.http.post(f"{self.url}/api/chat", json=body)
        seconds = time.perf_counter() - start
        response.raise_for_status()
        data = response.json()
        return Turn(data["messages"], data["fallback"], data["session_id"], seconds)

    def search(self, question: str) -> str | None:
        response = self.http.get(f"{self.url}/api/search", params={"q": question})
        response.raise_for_status()
        data = response.json()
        return data["hits"][0]["id"] if data["answered"] and data["hits"] else None

    def slots(self, session_id: str) -> dict[str, Any]:
        url = f"{self.rasa_url}/conversations/{session_id}/tracker"
        response = self.http.get(url, params={"token": self.rasa_token})
        response.raise_for_status()
        return dict(response.json()["slots"])


# --- the knowledge test split ---------------------------------------------------------


@dataclass
class Tally:
    """Rows of a labelled set: answerable (right when the entry answered is one the row
    accepts), out of scope (right when declined) and, in the blind sets, unknown (right
    when answered honestly: an entry saying the sources do not say, or declined)."""

    honest: frozenset[str] = frozenset()
    answerable: int = 0
    answered_right: int = 0
    wrongly_declined: int = 0
    out_of_scope: int = 0
    declined_right: int = 0
    unknown: int = 0
    unknown_honest: int = 0
    unknown_neighbouring_fact: int = 0
    by_self_check: int = 0

    def add(
        self, row: dict[str, Any], got: str | None, verdict: str | None = None
    ) -> None:
        """``verdict``: the self-check's, when the chat handed the question to it."""
        kind = row.get("kind") or (
            "out_of_scope" if row.get("expected") is None else "answerable"
        )
        if kind == "out_of_scope":
            self.out_of_scope += 1
            self.declined_right += got is None
        elif kind == "unknown":
            self.unknown += 1
            self.unknown_honest += got is None or got in self.honest
            self.unknown_neighbouring_fact += got is not None and got not in self.honest
        else:
            accepted = row.get("accept") or [row["expected"]]
            by_verdict = any(
                verdict in SELF_CHECK_ANSWERS.get(entry, ()) for entry in accepted
            )
            self.answerable += 1
            self.answered_right += got in accepted or by_verdict
            self.by_self_check += by_verdict
            self.wrongly_declined += got is None and verdict is None

    def figures(self) -> dict[str, float | int]:
        total = self.answerable + self.out_of_scope + self.unknown
        right = self.answered_right + self.declined_right + self.unknown_honest
        figures: dict[str, float | int] = {
            "n": total,
            "correct": _pct(right, total),
            "answered_right": _pct(self.answered_right, self.answerable),
            "wrongly_declined": _pct(self.wrongly_declined, self.answerable),
            "declined_right": _pct(self.declined_right, self.out_of_scope),
        }
        if self.by_self_check:
            figures["by_self_check"] = self.by_self_check
        if self.unknown:
            figures["unknown_honest"] = _pct(self.unknown_honest, self.unknown)
            figures["unknown_neighbouring_fact"] = self.unknown_neighbouring_fact
        return figures


def _pct(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def honest_entries() -> frozenset[str]:
    """Entries that say what the sources do not state and give the contact."""
    from knowledge.corpus import load_corpus

    return frozenset(r.id for r in load_corpus() if "{contact}" in r.answer)


def knowledge_split(
    client: Client, rows: list[dict[str, Any]]
) -> tuple[dict[str, Any], list[float]]:
    honest = honest_entries()
    chat: dict[str, Tally] = defaultdict(lambda: Tally(honest))
    engine: dict[str, Tally] = defaultdict(lambda: Tally(honest))
    seconds: list[float] = []
    misses = []
    for row in rows:
        turn = client.chat(row["text"])
        seconds.append(turn.seconds)
        expected, lang = row.get("expected"), row["lang"]
        verdict = None
        if turn.answer_id is None and row.get("kind", "answerable") == "answerable":
            journey = follow_self_check(client, turn, Journey())
            if journey.confirmations <= 1:
                verdict = journey.verdict
        chat[lang].add(row, turn.answer_id, verdict)
        alone = client.search(row["text"])
        engine[lang].add(row, alone)
        if turn.answer_id != alone:
            got = f"verdict:{verdict}" if verdict else turn.answer_id
            misses.append([lang, row["text"], expected, got, alone, turn.text[:160]])
    report = {
        lang: {"chat": chat[lang].figures(), "engine": engine[lang].figures()}
        for lang in LANGUAGES
        if lang in chat
    }
    return {"by_language": report, "chat_differs_from_engine": misses}, seconds


# --- one-message eligibility questions ------------------------------------------------


@dataclass
class Journey:
    confirmations: int = 0
    other_questions: int = 0
    verdict: str | None = None
    city: str | None = None
    transcript: list[str] = field(default_factory=list)


def _named(city: str | None, text: str, expected: str) -> bool:
    if not city:
        return True
    folded = fold_words(city)
    return folded in fold_words(text) or folded == fold_words(expected)


def eligibility_journey(client: Client, row: dict[str, Any]) -> Journey:
    journey = Journey()
    turn = client.chat(row["text"])
    journey.transcript.append(turn.text)
    return follow_self_check(client, turn, journey)


def follow_self_check(client: Client, turn: Turn, journey: Journey) -> Journey:
    """Answers the self-check's follow-ups as a user would, up to its verdict."""
    for _ in range(MAX_FOLLOW_UPS):
        slots = client.slots(turn.session_id)
        journey.city = slots.get("city") or journey.city
        if slots.get("eligibility_verdict"):
            journey.verdict = slots["eligibility_verdict"]
            break
        payloads = [b["payload"] for b in turn.buttons]
        requested = slots.get("requested_slot")
        if "/affirm" in payloads and requested == "city_confirmed":
            journey.confirmations += 1
            reply = "/affirm"
        elif payloads and payloads[0].startswith("/inform{"):
            journey.confirmations += 1  # a choice among places is the confirmation
            reply = payloads[0]
        elif requested == "group_of_municipalities":
            journey.other_questions += 1
            reply = "/deny"
        elif requested == "population":
            journey.other_questions += 1
            reply = "50000"
        else:
            break  # not in the self-check, or a question we cannot answer
        turn = client.chat(reply, turn.session_id)
        journey.transcript.append(f"> {reply} | {turn.text}")
    return journey


def eligibility_set(client: Client, rows: list[dict[str, Any]]) -> dict[str, Any]:
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    failures = []
    for row in rows:
        journey = eligibility_journey(client, row)
        lang = row["lang"]
        c = counts[lang]
        c["n"] += 1
        reached = journey.verdict is not None and journey.confirmations <= 1
        c["verdict_within_one_confirmation"] += reached
        c["verdict_right"] += journey.verdict == row["verdict"]
        c["with_other_questions"] += journey.other_questions > 0
        invented = not _named(journey.city, row["text"], row["city"])
        c["invented_places"] += invented
        if not reached or journey.verdict != row["verdict"] or invented:
            failures.append({**row, "got": journey.verdict, "city_slot": journey.city,
                             "transcript": journey.transcript})  # fmt: skip
    report = {
        lang: {
            "n": c["n"],
            "verdict_within_one_confirmation": _pct(
                c["verdict_within_one_confirmation"], c["n"]
            ),
            "verdict_right": _pct(c["verdict_right"], c["n"]),
            "asked_more_than_a_confirmation": c["with_other_questions"],
            "invented_places": c["invented_places"],
        }
        for lang, c in counts.items()
    }
    return {"by_language": report, "failures": failures}


# --- running ------------------------------------------------------------------------


def bench(args: argparse.Namespace) -> int:
    client = Client(args.url, args.rasa_url, args.rasa_token)
    try:
        client.http.get(f"{args.url}/api/health", timeout=5).raise_for_status()
    except httpx.HTTPError as exc:
        print(f"bench: the app is not reachable at {args.url} ({exc})", file=sys.stderr)
        return 2
    # A question of a blind set that its authors happened to write as a training
    # question reads (in_training) is no blind question: left out.
    split = [r for r in read_jsonl(args.set) if not r.get("in_training")]
    eligibility = [] if args.skip_eligibility else read_jsonl(ELIGIBILITY_SET)
    if args.limit:
        split = _per_language(split, args.limit)
        eligibility = _per_language(eligibility, args.limit)
    client.chat("warm up")  # the first turn loads models
    knowledge, seconds = knowledge_split(client, split)
    report = {
        "set": args.set.name,
        "knowledge_test_split": knowledge,
        "eligibility_messages": eligibility_set(client, eligibility),
        "chat_turn_ms": {
            "p50": round(1000 * statistics.median(seconds), 1),
            "p95": round(1000 * _p95(seconds), 1),
        },
    }
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print_report(report)
    return 0


def _per_language(rows: list[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    kept: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if len(kept[row["lang"]]) < limit:
            kept[row["lang"]].append(row)
    return [row for rows_ in kept.values() for row in rows_]


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def print_report(report: dict[str, Any]) -> None:
    print(f"{report['set']}, through /api/chat (chat) and /api/search (engine):")
    print(f"{'lang':<5}{'n':>5}  {'':<7}{'correct':>8}{'answered':>10}"
          f"{'wrongly declined':>18}{'declined (oos)':>16}"
          f"{'unknown honest':>16}{'neighbouring':>14}")  # fmt: skip
    for lang, both in report["knowledge_test_split"]["by_language"].items():
        for who in ("chat", "engine"):
            f = both[who]
            print(f"{lang:<5}{f['n']:>5}  {who:<7}{f['correct']:>8}"
                  f"{f['answered_right']:>10}{f['wrongly_declined']:>18}"
                  f"{f['declined_right']:>16}{f.get('unknown_honest', '-'):>16}"
                  f"{f.get('unknown_neighbouring_fact', '-'):>14}")  # fmt: skip
    if report["eligibility_messages"]["by_language"]:
        print("\nOne-message eligibility questions:")
    for lang, f in report["eligibility_messages"]["by_language"].items():
        print(f"{lang}: n={f['n']} verdict within one confirmation "
              f"{f['verdict_within_one_confirmation']} %, right verdict "
              f"{f['verdict_right']} %, group/population asked "
              f"{f['asked_more_than_a_confirmation']}, invented places "
              f"{f['invented_places']}")  # fmt: skip
    turn = report["chat_turn_ms"]
    print(f"\nchat turn (app + Rasa + actions): p50 {turn['p50']} ms, "
          f"p95 {turn['p95']} ms")  # fmt: skip
    for failure in report["eligibility_messages"]["failures"]:
        print("  eligibility miss:", json.dumps(failure, ensure_ascii=False)[:400])


def main(argv: list[str] | None = None) -> int:
    settings = get_settings()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=f"http://127.0.0.1:{settings.app.port}")
    parser.add_argument("--rasa-url", default=settings.rasa.url)
    parser.add_argument(
        "--rasa-token",
        default=current_token(settings),
        help="Rasa's API token (default: the running stack's, from the settings)",
    )
    parser.add_argument("--limit", type=int, default=0, help="questions per language")
    parser.add_argument(
        "--set",
        type=Path,
        default=TEST_SPLIT,
        help="labelled questions (default: the knowledge test split; a blind set's "
        "lines may carry a kind, answerable/unknown/out_of_scope, and the accepted "
        "entries)",
    )
    parser.add_argument("--skip-eligibility", action="store_true")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--start-stack", action="store_true")
    args = parser.parse_args(argv)
    if not args.start_stack:
        return bench(args)
    with (
        tempfile.TemporaryDirectory() as workdir,
        running_stack(Path(workdir)) as stack,
    ):
        args.url, args.rasa_url = stack.app_url, stack.rasa_url
        args.rasa_token = stack.rasa_token
        return bench(args)


if __name__ == "__main__":
    sys.exit(main())
