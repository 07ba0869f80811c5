"""Type stubs for the Rust extension ``gati._native``."""

__version__: str
