"""The one error path of the HTTP side: a ``UserError`` a route lets through, or a body that does
not validate, becomes a 400 JSON body naming the field at fault (Starlette's exception handlers).
Routes raise; none catches them one by one."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse

from bot.core.errors import UserError


class BadBody(Exception):
    """A request body that is not ``what`` (an alert, a webhook event): each wrong field and why."""

    def __init__(self, what: str, error: ValidationError) -> None:
        super().__init__(f"the body is not a valid {what}")
        self.what = what
        self.problems = problems(error)


Model = TypeVar("Model", bound=BaseModel)


def validated(model: type[Model], body: bytes, what: str) -> Model:
    """``body`` read as ``model``, or ``BadBody`` saying what is wrong with it."""
    try:
        return model.model_validate_json(body)
    except ValidationError as exc:
        raise BadBody(what, exc) from None


def problems(exc: ValidationError) -> list[dict[str, str]]:
    """Each wrong field as ``alerts[0].status`` with what was wrong, without pydantic's noise."""
    found = []
    for error in exc.errors(include_url=False):
        loc, message = error["loc"], error["msg"]
        if loc[-1:] == ("[key]",):  # a wrong name in a mapping (a label's): the mapping is the field
            loc, message = loc[:-2], f"a name: {message}"
        path = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc).lstrip(".")
        if error["type"] == "json_invalid":
            found.append({"field": "(body)", "message": f"not JSON: {message}"})
        else:
            found.append({"field": path or "(body)", "message": message})
    return found


async def user_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, UserError)
    body = {"error": exc.message} | ({"field": exc.field} if exc.field else {})
    return JSONResponse(body, status_code=400)


async def bad_body(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, BadBody)
    return JSONResponse({"error": str(exc), "problems": exc.problems}, status_code=400)


HANDLERS = {UserError: user_error, BadBody: bad_body}
"""Starlette's ``exception_handlers`` for every route."""
