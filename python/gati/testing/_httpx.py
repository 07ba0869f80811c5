"""The one import of httpx in ``gati.testing``, behind a guard that says what to install:
httpx (and uvicorn, for ``live_server``) come with the ``testing`` extra, not with gati."""

try:
    import httpx
except ModuleNotFoundError as exc:  # pragma: no cover - exercised in a subprocess
    raise ModuleNotFoundError(
        "gati.testing needs httpx (and uvicorn for live_server): pip install 'gati[testing]'",
        name="httpx",
    ) from exc

__all__ = ["httpx"]
