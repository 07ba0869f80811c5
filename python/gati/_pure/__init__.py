"""The pure-Python twins of the native hot paths."""
