"""What every body shares: the contract's error for a bad field, success and error envelopes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, ClassVar, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
    WithJsonSchema,
)
from pydantic_core import ErrorDetails

from shared import errors
from shared.clock import iso

# Every time in a body: ISO 8601 UTC with a Z, second precision (shared/clock.py).
Timestamp = Annotated[
    datetime,
    PlainSerializer(iso, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


@dataclass(frozen=True)
class Reject:
    """The contract's 400 for a field that is missing or malformed.

    Put in a field's `Annotated[...]`; `faults` narrows it to some pydantic error types (empty:
    any fault). `{field}` in the message is replaced by the field's JSON name.
    """

    message: str
    error_id: int | None = None
    faults: frozenset[str] = field(default_factory=frozenset)

    def error(self, name: str) -> errors.BadRequest:
        return errors.BadRequest(self.message.replace("{field}", name), error_id=self.error_id)


class RequestBody(BaseModel):
    """A JSON request body. Strict: a string field takes only a string, a number only a number."""

    model_config = ConfigDict(strict=True, frozen=True)

    # The answer when the body is absent, not JSON, too large or not a JSON object.
    unparsable: ClassVar[Reject]

    @classmethod
    def parse(cls, raw: object) -> Self:
        """The validated body, or the contract's error for its first fault (in field order)."""
        try:
            return cls.model_validate(raw)
        except ValidationError as error:
            raise cls.rejection(error.errors()[0]) from None

    @classmethod
    def rejection(cls, fault: ErrorDetails) -> errors.BadRequest:
        """The one place a pydantic fault becomes the library's error."""
        if not fault["loc"]:
            return cls.unparsable.error("")
        name = str(fault["loc"][0])
        for field_name, info in cls.model_fields.items():
            if (info.alias or field_name) == name:
                rejects = [item for item in info.metadata if isinstance(item, Reject)]
                specific = [reject for reject in rejects if fault["type"] in reject.faults]
                general = [reject for reject in rejects if not reject.faults]
                return (specific or general)[0].error(name)
        raise LookupError(f"{cls.__name__} has no field {name!r}")


class Envelope(BaseModel):
    """A JSON answer; every field is always sent, so the description marks each required."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)

    status: Literal["success"] = "success"


class Success(Envelope):
    """`{"status": "success", "message": ...}`: the answer of actions with nothing more to say."""

    message: str


class Error(BaseModel):
    """Every error but the section 1.1 ones; `errorId` where the contract numbers the error."""

    status: Literal["error"]
    message: str
    error_id: int | None = Field(default=None, alias="errorId", exclude_if=lambda v: v is None)

    @classmethod
    def of(cls, message: str, error_id: int | None = None) -> Error:
        return cls(status="error", message=message, errorId=error_id)


class AuthProblem(BaseModel):
    message: str
    error_id: int = Field(alias="errorId")


class AuthError(BaseModel):
    """Section 1.1 of the contract: a 401 whose details sit in `auth_error`."""

    status: Literal["error"]
    message: Literal["Auth error"]
    auth_error: AuthProblem


def error_body(error: errors.ServiceError) -> Error | AuthError:
    """The contract's JSON for a library error."""
    if isinstance(error, errors.AuthError):
        problem = AuthProblem.model_validate(error.auth_error())
        return AuthError(status="error", message="Auth error", auth_error=problem)
    return Error.of(error.message, error.error_id)
