"""Forms and uploads: ``await req.form()`` for ``application/x-www-form-urlencoded`` and
``multipart/form-data``, parsed by Starlette's parsers on python-multipart (``pip install
gati[forms]``). Uploaded files are ``UploadFile``s spooled to disk past 1 MiB.

Limits: the whole body is bounded by the route's ``max_body_size`` (413), the whole form by
``max_size`` (413, announced by ``Content-Length`` or counted as it arrives, so a form route can
take less than the app's body limit), the number of files and fields and the size of one
non-file part by the ``FormLimits`` of the route or app, or the arguments of ``form()`` (413);
a malformed body is a 400. A body already read with ``body()``/``json()`` is parsed from
memory, so ``form()`` after them never waits for bytes that will not come.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Any

from starlette import formparsers
from starlette.datastructures import FormData, Headers
from starlette.formparsers import FormParser, MultiPartException, MultiPartParser

from gati.http.errors import HTTPError

__all__ = ["FormData", "FormLimits", "parse_form"]

_MEDIA_MULTIPART = "multipart/form-data"
_MEDIA_URLENCODED = "application/x-www-form-urlencoded"


@dataclass(frozen=True, slots=True)
class FormLimits:
    """Limits for ``req.form()`` (``App(form_limits=...)`` for every route,
    ``app.route(form_limits=...)`` for one): files, fields, the size of one non-file part, and
    ``max_size``, the bytes of the whole form (None: only the route's ``max_body_size``)."""

    max_files: int = 1000
    max_fields: int = 1000
    max_part_size: int = 1 << 20
    max_size: int | None = None

    def __post_init__(self) -> None:
        sizes = (self.max_files, self.max_fields, self.max_part_size, self.max_size or 0)
        if any(type(n) is not int for n in sizes) or min(sizes) < 0:
            raise ValueError(f"form limits must be integers >= 0, not {self!r}")

    def apply(self, req: Any) -> None:
        """Make these the defaults of ``req.form()``."""
        req._form_limits = self


DEFAULT_LIMITS = FormLimits()


def _media(headers: Headers) -> str:
    return headers.get("content-type", "").split(";", 1)[0].strip().lower()


def _too_large(max_size: int) -> HTTPError:
    return HTTPError(413, f"form: the form is larger than this route accepts ({max_size} bytes)")


async def _bounded(
    stream: AsyncGenerator[bytes, None], max_size: int
) -> AsyncGenerator[bytes, None]:
    """``stream``, stopped with a 413 as soon as more than ``max_size`` bytes arrived."""
    total = 0
    async for chunk in stream:
        total += len(chunk)
        if total > max_size:
            raise _too_large(max_size)
        yield chunk


async def parse_form(
    headers: Headers,
    stream: AsyncGenerator[bytes, None],
    *,
    max_files: int,
    max_fields: int,
    max_part_size: int,
    max_size: int | None = None,
) -> FormData:
    """Parse the body arriving on ``stream``; 415 for a body that is not a form, 413 for one
    past ``max_size`` bytes."""
    media = _media(headers)
    if media not in (_MEDIA_MULTIPART, _MEDIA_URLENCODED):
        raise HTTPError(
            415, f"form() needs a {_MEDIA_URLENCODED} or {_MEDIA_MULTIPART} body, not {media!r}"
        )
    if max_size is not None:
        length = headers.get("content-length", "")
        if length.isascii() and length.isdigit() and int(length[:20]) > max_size:
            raise _too_large(max_size)
        stream = _bounded(stream, max_size)
    if (
        getattr(formparsers, "multipart", None) is None
    ):  # pragma: no cover - the dev extra installs it
        raise RuntimeError("form parsing needs python-multipart: pip install 'gati[forms]'")
    parser: Any
    if media == _MEDIA_MULTIPART:
        parser = MultiPartParser(
            headers,
            stream,
            max_files=max_files,
            max_fields=max_fields,
            max_part_size=max_part_size,
        )
    else:
        parser = FormParser(headers, stream, max_fields=max_fields, max_part_size=max_part_size)
    try:
        form: FormData = await parser.parse()
    except MultiPartException as exc:
        status = 413 if ("Too many" in exc.message or "maximum size" in exc.message) else 400
        raise HTTPError(status, f"form: {exc.message}") from None
    return form
