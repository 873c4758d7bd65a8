"""Lazy access to the machine-readable Slack Web API reference (slack-ruby/slack-api-ref).

The reference holds one JSON file per method; the fake needs only a handful per test run, so
the name -> file index is built once by listing folders and each file is parsed on first use.
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path

# Codes Slack answers for any method although the per-method lists do not always name them.
GENERIC_ERRORS = frozenset({"not_authed", "invalid_auth", "unknown_method", "invalid_arguments"})


def default_root() -> Path:
    """$SLACK_API_REF, else <repo root>/../shared/slack/api-ref (repo root = two levels up)."""
    env = os.environ.get("SLACK_API_REF")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2].parent / "shared" / "slack" / "api-ref"


class ApiRef:
    """Method specs, error codes and example responses, read from `<root>/methods`."""

    def __init__(self, root: Path | str | None = None):
        self.root = Path(root) if root is not None else default_root()
        methods = self.root / "methods"
        if not methods.is_dir():
            raise FileNotFoundError(
                f"Slack API reference not found: looked for {methods} "
                "(set SLACK_API_REF to the api-ref folder)"
            )
        # Folders starting with "_" hold shared errors, patches (already merged into the
        # method files) and undocumented methods, which a well-behaved bot must not call.
        self._paths = {
            f.stem: f
            for group in methods.iterdir()
            if group.is_dir() and not group.name.startswith("_")
            for f in group.glob("*.json")
        }
        self._common = methods / "_errors" / "common.json"
        self._specs: dict[str, dict] = {}

    def has(self, method: str) -> bool:
        return method in self._paths

    def spec(self, method: str) -> dict:
        """The parsed reference file of `method`, cached (KeyError if unknown)."""
        if method not in self._specs:
            self._specs[method] = json.loads(self._paths[method].read_text(encoding="utf-8"))
        return self._specs[method]

    @functools.cached_property
    def common_errors(self) -> frozenset[str]:
        return frozenset(json.loads(self._common.read_text(encoding="utf-8"))["errors"])

    def errors(self, method: str) -> frozenset[str]:
        """Every error code `method` may answer."""
        return frozenset(self.spec(method).get("errors", {})) | self.common_errors | GENERIC_ERRORS

    def ok_example(self, method: str) -> dict:
        """The first documented successful response of `method`, or a bare {"ok": true}."""
        for text in self.spec(method).get("response", {}).get("examples", []):
            try:
                body = json.loads(text)
            except ValueError:
                continue
            if isinstance(body, dict) and body.get("ok") is True:
                return body
        return {"ok": True}

    def problems(self, method: str, args: dict) -> list[str]:
        """Why `args` is not a valid call of `method` per the reference (empty if it is)."""
        spec_args = self.spec(method).get("args", {})
        given = {k for k, v in args.items() if v not in (None, "")}
        found = [
            f"missing required argument {name!r}"
            for name, arg in spec_args.items()
            if arg.get("required") and name != "token" and name not in given
        ]
        found += [
            f"unknown argument {name!r}"
            for name in args
            if name not in spec_args and name not in ("token", "team_id")
        ]
        for group in self.spec(method).get("arg_groups", []):
            present = [a for a in group["args"] if a in given]
            if group.get("required", True) and not present:
                found.append(f"needs one of {group['args']}")
            if group.get("mutually_exclusive") and len(present) > 1:
                found.append(f"only one of {present} is allowed")
        return found


@functools.cache
def load(root: str | None = None) -> ApiRef:
    """A process-wide ApiRef per root, so every FakeSlack shares one index and parse cache."""
    return ApiRef(root)
