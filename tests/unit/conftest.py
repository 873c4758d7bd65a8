"""Fixtures of the unit tests."""

import pytest


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    """Work in tmp_path, so the file is named incidents.yaml in messages, as users see it."""
    monkeypatch.chdir(tmp_path)
    return tmp_path
