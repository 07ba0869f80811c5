"""The app ``test_playground_e2e.py`` serves with uvicorn."""

from tests.playground.apps import make_app

app = make_app()
