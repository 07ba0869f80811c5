"""GType: the schema DSL, its compiler and its tools."""

from gati.gtype.schema import Schema

__all__ = ["Schema"]
