"""Pure-Python twins of the native hot paths (same Python-facing API)."""
