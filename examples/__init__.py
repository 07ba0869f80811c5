"""Example applications; ``python -m examples.serve`` serves the bookstore demo."""
