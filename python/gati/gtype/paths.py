"""Rendering error paths for people (``gati.format_path``); defined in the leaf ``gati.errors``
so that both backends' validators can use it."""

from gati.errors import format_path

__all__ = ["format_path"]
