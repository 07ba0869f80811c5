"""The manifest store: content-addressed SQLite in WAL mode; put, get, history; concurrent
readers with one writer across processes (Properties 36 and 39)."""

from __future__ import annotations

import multiprocessing
import sqlite3
from dataclasses import replace
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from gati.manifest.model import Manifest
from gati.manifest.store import ManifestStore, content_hash


def manifest(name: str, print_: str = "sha256:a", version: str | None = None) -> Manifest:
    return Manifest(
        handler_id=name,
        path=f"/{name}",
        methods=("GET",),
        gtypes={"request": None, "response": "Thing"},
        policies={"roles": [], "rate_limit": None, "timeout": None},
        timescape={"version": version, "fingerprint": print_},
        dependencies=("db",),
    )


def test_store_lives_in_wal_mode_under_dot_gati(tmp_path: Path) -> None:
    path = tmp_path / ".gati" / "manifests.db"
    with ManifestStore(path) as store:
        store.put([manifest("a")])
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_put_get_and_history(tmp_path: Path) -> None:
    """Property 39: what is put comes back equal; history lists each revision in order."""
    with ManifestStore(tmp_path / "m.db") as store:
        first = store.put([manifest("a", "sha256:1", "2025-01-01"), manifest("b")], label="v1")
        second = store.put([manifest("a", "sha256:2", "2025-06-01")], label="v2")
        assert store.get("a") == manifest("a", "sha256:2", "2025-06-01")
        assert store.get("a", revision=first) == manifest("a", "sha256:1", "2025-01-01")
        assert store.get("b") == manifest("b") and store.get("b", revision=second) is None
        assert store.get("nobody") is None
        history = store.history("a")
        assert [(h.revision, h.label, h.fingerprint, h.version) for h in history] == [
            (first, "v1", "sha256:1", "2025-01-01"),
            (second, "v2", "sha256:2", "2025-06-01"),
        ]
        assert [m.handler_id for m in store.manifests(first)] == ["a", "b"]


def test_the_same_content_is_stored_once(tmp_path: Path) -> None:
    """Property 36: manifests are cached by content; an unchanged manifest adds nothing."""
    with ManifestStore(tmp_path / "m.db") as store:
        for _ in range(3):
            store.put([manifest("a"), manifest("b")], schemas={"Thing": {"type": "string"}})
        assert store.count("manifest") == 2
        assert store.count("schema") == 1
        digest = content_hash(manifest("a").to_dict())
        assert store.by_hash(digest) == manifest("a").to_dict()


def test_transformer_records(tmp_path: Path) -> None:
    with ManifestStore(tmp_path / "m.db") as store:
        store.put_transformer("/a", "2025-01-01", "2025-06-01", {"request": "add nick"})
        assert store.transformers("/a") == [("2025-01-01", "2025-06-01", {"request": "add nick"})]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abcd"), st.integers(0, 3)), min_size=1, max_size=8))
def test_history_replays_every_put(puts: list[tuple[str, int]]) -> None:
    """Property 39: the store's history equals the sequence of puts, for any sequence."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp, ManifestStore(Path(tmp, "m.db")) as store:
        expected: dict[str, list[str]] = {}
        for name, n in puts:
            store.put([manifest(name, f"sha256:{n}")])
            expected.setdefault(name, []).append(f"sha256:{n}")
        for name, prints in expected.items():
            assert [h.fingerprint for h in store.history(name)] == prints
            assert store.get(name) == manifest(name, prints[-1])


def _write(path: str, count: int) -> None:
    with ManifestStore(path) as store:
        for i in range(count):
            store.put([manifest(f"h{j}", f"sha256:{i}") for j in range(5)], label=str(i))


def _read(path: str, rounds: int, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    seen = 0
    with ManifestStore(path) as store:
        for _ in range(rounds):
            revision = store.latest_revision()
            if revision is None:
                continue
            prints = {m.fingerprint for m in store.manifests(revision)}
            assert len(prints) == 1 and len(store.manifests(revision)) == 5  # never half
            seen += 1
    out.put(seen)


def test_concurrent_readers_and_one_writer_across_processes(tmp_path: Path) -> None:
    path = str(tmp_path / "m.db")
    ManifestStore(path).close()
    ctx = multiprocessing.get_context("spawn")
    results = ctx.Queue()
    writer = ctx.Process(target=_write, args=(path, 40))
    readers = [ctx.Process(target=_read, args=(path, 200, results)) for _ in range(2)]
    for p in (writer, *readers):
        p.start()
    for p in (writer, *readers):
        p.join(timeout=120)
        assert p.exitcode == 0
    assert [results.get(timeout=5) for _ in readers]
    with ManifestStore(path) as store:
        assert len(store.history("h0")) == 40
        assert store.get("h3") == replace(manifest("h3", "sha256:39"))
