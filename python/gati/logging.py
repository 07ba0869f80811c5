"""``gati.logging.configure``: log records that carry the request id under a plain server.

``lctx.log`` already attaches ``request_id``, ``handler_id`` and ``version`` to its records;
``configure`` installs a filter that adds the same fields to every other record logged while
a request runs (``log.warning`` in a handler, a library's error) from ``current_lctx()``,
and a formatter that prints them: text (``… [request_id]``) or one JSON object per line.
"""

from __future__ import annotations

import logging
import sys
from typing import IO, Any

import orjson

from gati.context.current import CURRENT

__all__ = ["JSONFormatter", "RequestContextFilter", "TextFormatter", "configure"]

_FIELDS = ("request_id", "handler_id", "version")
_MARK = "_gati_handler"


class RequestContextFilter(logging.Filter):
    """Adds ``request_id``/``handler_id``/``version`` (``None`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            lctx = CURRENT.get(None)
            meta = None if lctx is None else lctx.meta
            for name in _FIELDS:
                setattr(record, name, None if meta is None else getattr(meta, name))
        return True


class TextFormatter(logging.Formatter):
    """``time level logger: message [request_id]`` (the id only inside a request)."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        rid = getattr(record, "request_id", None)
        return text if rid is None else f"{text} [{rid}]"


class JSONFormatter(logging.Formatter):
    """One JSON object per record: ``ts``, ``level``, ``logger``, ``message``, the request
    fields, ``fields`` from ``lctx.log(…, **fields)`` and ``exc_info`` as text."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": record.created,
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in _FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        fields = getattr(record, "fields", None)
        if fields:
            entry["fields"] = fields
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=repr).decode()


def configure(
    level: int | str = logging.INFO,
    *,
    json: bool = False,
    stream: IO[str] | None = None,
    logger: str = "",
) -> logging.Handler:
    """Send ``logger``'s records (the root logger by default) to ``stream`` (stderr), with
    the request fields, as text or JSON. Calling it again replaces the handler it installed."""
    target = logging.getLogger(logger)
    for old in [h for h in target.handlers if getattr(h, _MARK, False)]:
        target.removeHandler(old)
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    setattr(handler, _MARK, True)
    handler.addFilter(RequestContextFilter())
    handler.setFormatter(JSONFormatter() if json else TextFormatter())
    target.addHandler(handler)
    target.setLevel(level.upper() if isinstance(level, str) else level)
    return handler
