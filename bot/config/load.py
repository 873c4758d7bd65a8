"""Reading the configuration file, and turning pydantic's errors into our one-line messages.

A mistake stops start-up with one ``ConfigError`` listing every problem on its own line, each
naming the file (or variable), the key path, what was found and what is expected.
"""

import logging
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from bot.config.schema import IncidentConfig, _Located, _path, _show

log = logging.getLogger(__name__)


class ConfigError(Exception):
    """A wrong environment or configuration file; str() is the whole message, one line per problem."""


class _Loader(yaml.SafeLoader):
    """Refuses a key given twice in one mapping, which plain YAML would let the last one win silently."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen = set()
        for key, _ in node.value:
            if isinstance(key, yaml.ScalarNode):
                if key.value in seen:
                    problem = f"key {_show(key.value)} appears twice"
                    raise yaml.constructor.ConstructorError(None, None, problem, key.start_mark)
                seen.add(key.value)
        return super().construct_mapping(node, deep)


def load_config(path: Path) -> IncidentConfig:
    """The incident file at path; the built-in defaults when it is absent or empty."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        log.info("%s not found; using the built-in defaults", path)
        return IncidentConfig()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the file ({exc})") from None
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise ConfigError(f"{path}: {where}YAML syntax error: {getattr(exc, 'problem', None) or exc}") from None
    if data is None:
        return IncidentConfig()
    try:
        return IncidentConfig.model_validate(data)
    except ValidationError as exc:
        lines = (f"{path}: {_path(loc)}: {message}" for loc, message in _problems(exc, IncidentConfig))
        raise ConfigError("\n".join(lines)) from None


# --- turning pydantic's errors into ours -------------------------------------------------------

_MAPPING = "a mapping of keys to values"
_EXPECTED = {
    "dict_type": _MAPPING,
    "model_type": _MAPPING,
    "model_attributes_type": _MAPPING,
    "list_type": 'a list; use [a, b] or one "- item" per line',
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
}


def _unwrap(kind: Any) -> Any:
    while get_origin(kind) in (Annotated, Union, UnionType):
        kind = next(arg for arg in get_args(kind) if arg is not type(None))
    return kind


def _model_at(root: type[BaseModel], loc: tuple) -> type[BaseModel]:
    """The model whose keys sit at loc, so that an unknown key can list the right ones."""
    kind: Any = root
    for part in loc:
        kind = _unwrap(kind)
        # A model's key leads to its field; a dict key or list index leads to the value type.
        kind = kind.model_fields[part].annotation if get_origin(kind) is None else get_args(kind)[-1]
    return _unwrap(kind)


def _message(error: dict, root: type[BaseModel]) -> str:
    kind, found, context = error["type"], _show(error.get("input")), error.get("ctx", {})
    if kind in _EXPECTED:
        return f"{found} is not {_EXPECTED[kind]}"
    if kind == "missing":
        return "required key is missing"
    if kind == "extra_forbidden":
        return "unknown key; expected one of " + ", ".join(_model_at(root, error["loc"][:-1]).model_fields)
    if kind == "literal_error":
        return f"{found} is not one of " + context["expected"].replace("'", "").replace(" or ", ", ")
    if kind == "too_short":
        return f"{found} is empty; expected at least one entry"
    if kind in ("greater_than_equal", "less_than_equal"):
        bound = "at least " + str(context["ge"]) if "ge" in context else "at most " + str(context["le"])
        return f"{found} is out of range; expected {bound}"
    return f"{found}: {error['msg']}"


def _problems(exc: ValidationError, root: type[BaseModel]) -> list[tuple[tuple, str]]:
    """(loc, message) for every problem, with our own messages instead of pydantic's."""
    problems = []
    for error in exc.errors():
        cause = error.get("ctx", {}).get("error")
        if isinstance(cause, _Located):
            problems += [(error["loc"] + loc, message) for loc, message in cause.problems]
        elif isinstance(cause, ValueError):
            problems.append((error["loc"], str(cause)))
        else:
            problems.append((error["loc"], _message(error, root)))
    return problems
