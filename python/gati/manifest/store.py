"""The manifest store: SQLite (stdlib ``sqlite3``, WAL) under ``.gati/``, content-addressed.

Manifests and schemas are stored once each under the sha256 of their canonical JSON; a
revision (``put``) records which manifest each handler had then, so ``history`` shows a
handler's fingerprints and versions over time (the version graph). Transformer records join
them. WAL lets any number of processes read while one writes; every write is one
``BEGIN IMMEDIATE`` transaction, so a reader never sees half a revision.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gati.manifest.model import Manifest

__all__ = ["DEFAULT_PATH", "HistoryEntry", "ManifestStore"]

DEFAULT_PATH = Path(".gati") / "manifests.db"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS blobs (
    hash TEXT PRIMARY KEY, kind TEXT NOT NULL, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS revisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT, created_at REAL NOT NULL, label TEXT);
CREATE TABLE IF NOT EXISTS entries (
    revision INTEGER NOT NULL REFERENCES revisions(id), handler_id TEXT NOT NULL,
    manifest TEXT NOT NULL REFERENCES blobs(hash), fingerprint TEXT NOT NULL, version TEXT,
    PRIMARY KEY (revision, handler_id));
CREATE INDEX IF NOT EXISTS entries_by_handler ON entries(handler_id, revision);
CREATE TABLE IF NOT EXISTS transformers (
    path TEXT NOT NULL, from_version TEXT NOT NULL, to_version TEXT NOT NULL,
    record TEXT NOT NULL REFERENCES blobs(hash), PRIMARY KEY (path, from_version, to_version));
"""


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(value: Any) -> str:
    """``sha256:<hex>`` of the canonical JSON of ``value``."""
    return "sha256:" + hashlib.sha256(_canonical(value).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class HistoryEntry:
    """A handler as one revision recorded it."""

    revision: int
    created_at: float
    label: str | None
    fingerprint: str
    version: str | None


class ManifestStore:
    """``ManifestStore(path)`` (default ``.gati/manifests.db``): ``put``, ``get``, ``history``."""

    def __init__(self, path: str | Path = DEFAULT_PATH, *, timeout: float = 30.0) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> ManifestStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _blob(self, kind: str, value: Any) -> str:
        digest = content_hash(value)
        self._db.execute(
            "INSERT OR IGNORE INTO blobs(hash, kind, body) VALUES (?, ?, ?)",
            (digest, kind, _canonical(value)),
        )
        return digest

    def put(
        self,
        manifests: Iterable[Manifest],
        *,
        schemas: Mapping[str, Any] | None = None,
        label: str | None = None,
    ) -> int:
        """Record a revision holding ``manifests`` (and the named core ``schemas``); its id."""
        items = list(manifests)
        self._db.execute("BEGIN IMMEDIATE")
        try:
            cursor = self._db.execute(
                "INSERT INTO revisions(created_at, label) VALUES (?, ?)", (time.time(), label)
            )
            revision = int(cursor.lastrowid or 0)
            for name, core in sorted((schemas or {}).items()):
                self._blob("schema", {"name": name, "core": core})
            for manifest in items:
                digest = self._blob("manifest", manifest.to_dict())
                self._db.execute(
                    "INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?, ?)",
                    (revision, manifest.handler_id, digest, manifest.fingerprint,
                     manifest.version),
                )  # fmt: skip
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        return revision

    def put_transformer(self, path: str, from_: str, to: str, record: Mapping[str, Any]) -> str:
        """Record a transformer between two versions of ``path``; its content hash."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            digest = self._blob("transformer", dict(record))
            self._db.execute(
                "INSERT OR REPLACE INTO transformers VALUES (?, ?, ?, ?)",
                (path, from_, to, digest),
            )
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        return digest

    def transformers(self, path: str) -> list[tuple[str, str, dict[str, Any]]]:
        rows = self._db.execute(
            "SELECT t.from_version, t.to_version, b.body FROM transformers t "
            "JOIN blobs b ON b.hash = t.record WHERE t.path = ? ORDER BY t.from_version",
            (path,),
        ).fetchall()
        return [(f, t, json.loads(body)) for f, t, body in rows]

    def latest_revision(self) -> int | None:
        row = self._db.execute("SELECT max(id) FROM revisions").fetchone()
        return None if row is None or row[0] is None else int(row[0])

    def get(self, handler_id: str, revision: int | None = None) -> Manifest | None:
        """The handler's manifest in ``revision`` (default: the latest holding it)."""
        query = (
            "SELECT b.body FROM entries e JOIN blobs b ON b.hash = e.manifest "
            "WHERE e.handler_id = ?"
        )
        args: tuple[Any, ...] = (handler_id,)
        if revision is not None:
            query += " AND e.revision = ?"
            args += (revision,)
        row = self._db.execute(query + " ORDER BY e.revision DESC LIMIT 1", args).fetchone()
        return None if row is None else Manifest.from_dict(json.loads(row[0]))

    def by_hash(self, digest: str) -> Any:
        """Any stored value (manifest, schema, transformer record) by its content hash."""
        row = self._db.execute("SELECT body FROM blobs WHERE hash = ?", (digest,)).fetchone()
        return None if row is None else json.loads(row[0])

    def manifests(self, revision: int | None = None) -> list[Manifest]:
        """Every manifest of ``revision`` (default: the latest), by handler id."""
        revision = self.latest_revision() if revision is None else revision
        rows = self._db.execute(
            "SELECT b.body FROM entries e JOIN blobs b ON b.hash = e.manifest "
            "WHERE e.revision = ? ORDER BY e.handler_id",
            (revision,),
        ).fetchall()
        return [Manifest.from_dict(json.loads(body)) for (body,) in rows]

    def history(self, handler_id: str) -> list[HistoryEntry]:
        """Each revision that recorded the handler, oldest first."""
        rows = self._db.execute(
            "SELECT r.id, r.created_at, r.label, e.fingerprint, e.version FROM entries e "
            "JOIN revisions r ON r.id = e.revision WHERE e.handler_id = ? ORDER BY r.id",
            (handler_id,),
        ).fetchall()
        return [HistoryEntry(*row) for row in rows]

    def count(self, kind: str) -> int:
        row = self._db.execute("SELECT count(*) FROM blobs WHERE kind = ?", (kind,)).fetchone()
        return int(row[0])
