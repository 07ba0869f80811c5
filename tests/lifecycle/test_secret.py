"""gati.Secret: redacted everywhere, revealed only by get()."""

from __future__ import annotations

import pickle

import pytest

from gati import Secret


def test_secret_redacts_and_reveals() -> None:
    s = Secret("hunter2")
    assert "hunter2" not in repr(s) and "hunter2" not in str(s) and "hunter2" not in f"{s}"
    assert s.get() == "hunter2" and not s.is_redacted
    assert s == Secret("hunter2") and s != Secret("other") and hash(s) == hash(Secret("hunter2"))
    assert Secret(b"k") == Secret(b"k")
    with pytest.raises(TypeError):
        pickle.dumps(s)


def test_redacted_secret() -> None:
    r = Secret.redacted()
    assert r.is_redacted and r == Secret.redacted()
    with pytest.raises(ValueError):
        r.get()
