"""Type stubs for the Rust extension ``gati._native``."""

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Self, final

from typing_extensions import disjoint_base

__all__ = [
    "ERROR_CODES",
    "Ingress",
    "RecordCore",
    "RingBuffer",
    "Router",
    "Snapshot",
    "StateSnapshot",
    "StateStore",
    "Validator",
    "__version__",
    "_reseed_request_ids",
    "copy_value",
    "new_request_id",
    "plan_hooks",
    "read_ingress",
    "read_ingress_head",
    "response_messages",
    "scan_headers",
    "take_snapshot",
]

__version__: str

# -- GType validator (rust/gtype) -------------------------------------------------------------

@final
class Validator:
    """A compiled GType plan (docs/gtype.md §4); see ``gati.gtype`` for the public API."""

    def __new__(cls, plan: dict[str, Any], schema: object | None = None) -> Self: ...
    @property
    def schema(self) -> Any: ...
    def validate(self, obj: Any) -> Any: ...
    def validate_json(self, data: bytes | bytearray | memoryview | str) -> Any: ...
    def is_valid(self, obj: Any) -> bool: ...
    def convert(self, obj: Any) -> Any: ...
    def convert_json(self, data: bytes | bytearray | memoryview | str) -> Any: ...
    def dump(self, obj: Any) -> Any: ...
    def __repr__(self) -> str: ...

ERROR_CODES: tuple[str, ...]  # every error code, as `gati.gtype._messages.CODES`

def _panic_next() -> None:
    """Test builds only (cargo feature ``test-panic``): the next entry point panics."""

# -- state store (rust/state) -----------------------------------------------------------------

@final
class StateSnapshot:
    def get(self, key: str, default: Any = None) -> Any: ...
    def keys(self) -> list[str]: ...
    def items(self) -> list[tuple[str, Any]]: ...
    def __len__(self) -> int: ...
    def __contains__(self, key: object, /) -> bool: ...

@final
class StateStore:
    def __new__(cls, copier: Callable[[Any], Any]) -> Self: ...
    def get(self, key: str, default: Any = None) -> Any: ...
    def set(self, key: str, value: Any) -> None: ...
    def delete(self, key: str) -> bool: ...
    def clean(self) -> None: ...
    def keys(self) -> list[str]: ...
    def items(self) -> list[tuple[str, Any]]: ...
    def snapshot(self) -> StateSnapshot: ...
    def restore(self, snapshot: object) -> None: ...
    def __len__(self) -> int: ...
    def __contains__(self, key: object, /) -> bool: ...
    def __getitem__(self, key: str, /) -> Any: ...
    def __setitem__(self, key: str, value: Any, /) -> None: ...
    def __delitem__(self, key: str, /) -> None: ...

@disjoint_base
class Snapshot:
    """``gati.Snapshot`` before its views are installed (twin: ``gati._pure.snapshot.Snapshot``)."""

    def __new__(
        cls,
        store: StateStore,
        request_id: str,
        phase: str,
        hook_index: int,
        handler_version: str | None,
        tracked: tuple[tuple[str | None, str], ...],
        trace: tuple[Any, ...],
        taken_at: int | None = None,
    ) -> Snapshot: ...
    @property
    def request_id(self) -> str: ...
    @property
    def taken_at(self) -> int: ...
    @property
    def phase(self) -> str: ...
    @property
    def hook_index(self) -> int: ...
    @property
    def handler_version(self) -> str | None: ...
    @property
    def tracked(self) -> tuple[tuple[str | None, str], ...]: ...
    @property
    def trace(self) -> tuple[Any, ...]: ...
    @property
    def state_store_snapshot(self) -> StateSnapshot: ...
    def new_store(self) -> StateStore: ...

def take_snapshot(
    store: StateStore,
    request_id: str,
    phase: str,
    hook_index: int,
    handler_version: str | None,
    tracked: tuple[tuple[str | None, str], ...],
    trace: tuple[Any, ...],
) -> Snapshot: ...

# -- hook planner (rust/hooks) ----------------------------------------------------------------
def plan_hooks(hooks: Sequence[Any]) -> tuple[list[int], list[int], list[int]]: ...
def copy_value(value: Any) -> Any: ...

# -- router (rust/router) --------------------------------------------------------------------
@final
class Router:
    """Native route tree (twin: ``gati._pure.router.Router``)."""

    def __init__(self) -> None: ...
    def insert(self, segments: list[tuple[str, str]]) -> int: ...
    def lookup(self, path: str) -> tuple[int, dict[str, Any]] | None: ...
    def __len__(self) -> int: ...

# -- Ingress (rust/ingress) -------------------------------------------------------------------

def new_request_id() -> str: ...
def _reseed_request_ids() -> None: ...
def scan_headers(
    headers: Iterable[tuple[bytes, bytes]],
) -> tuple[str, str | None, bytes | None, int | None, list[Any] | None]: ...

@final
class Ingress:
    """What the request line and headers say (twin: ``gati._pure.ingress.Ingress``)."""

    request_id: str
    version_requested: str | None
    flags: frozenset[str]
    trace_id: str | None
    traceparent: str | None
    client_ip: str | None
    user_agent: str | None
    content_type: bytes | None
    content_length: int | None
    @property
    def rare(self) -> list[Any] | None: ...
    def __init__(self) -> None: ...
    def __copy__(self) -> Ingress: ...

def read_ingress(scope: dict[str, Any]) -> Ingress: ...
def read_ingress_head(
    scope: dict[str, Any],
) -> tuple[
    Ingress, str, int | None, frozenset[str], str | None, list[Any] | None, bytes, float
]: ...

# -- Response messages (rust/response) ----------------------------------------------------------

def response_messages(
    method: str, res: Any, request_id: bytes
) -> tuple[dict[str, Any], dict[str, Any]]: ...

# -- Playground record (rust/playground) --------------------------------------------------------

@disjoint_base
class RecordCore:
    """One recorded request, made and closed in one call each (twin:
    ``gati._pure.record.RecordCore``)."""

    events: list[Any]
    routing: tuple[Any, ...]
    info: Any
    opened_at: float
    request_headers: Any
    query_raw: Any
    replay_of: Any
    request_body: Any
    request_dropped: Any
    status: Any
    response_body: Any
    response_media_raw: Any
    sent_headers: Any
    size: int
    id: int
    def __new__(
        cls, scope: Any, info: Any, lctx: Any, res: Any, keep: Callable[[Any], Any]
    ) -> Self: ...
    @property
    def append(self) -> Callable[[Any], None]: ...
    def end(self, ev: Any) -> None: ...

@disjoint_base
class RingBuffer:
    """The recent records within a count and a byte bound; a record's ``keep`` (twin:
    ``gati._pure.ring.RingBuffer``)."""

    max_records: int
    max_bytes: int
    bytes: int
    announce: Callable[[Any], Any] | None
    def __new__(cls, max_records: int, max_bytes: int) -> Self: ...
    def add(self, record: Any) -> bool: ...
    def __call__(self, record: Any, /) -> bool: ...
    def get(self, record_id: Any) -> Any: ...
    def newest(self, limit: int) -> list[Any]: ...
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[Any]: ...
