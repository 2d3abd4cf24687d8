"""Groups (contract "Groups"): the new group's name, and groups as answers."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, BeforeValidator, Field

from functions._schemas.base import Reject, RequestBody, Success
from shared.accounts.groups import MAX_NAME_CHARS, Group

NO_NAME = Reject("No group_name provided")


def _stripped(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


class NewGroup(RequestBody):
    """POST /api/create_group."""

    unparsable = NO_NAME

    group_name: Annotated[
        str,
        BeforeValidator(_stripped),
        Field(min_length=1, max_length=MAX_NAME_CHARS, description="Without surrounding spaces."),
        Reject(
            f"Group name length exceeded ({MAX_NAME_CHARS} chars)",
            faults=frozenset({"too_long", "string_too_long"}),
        ),
        NO_NAME,
    ]


class GroupResult(Success):
    name: str
    group_id: int

    @classmethod
    def of(cls, group: Group, message: str) -> GroupResult:
        return cls(message=message, name=group.name, group_id=int(group.group_id))


class Invite(Success):
    invite_link: str = Field(description="The page link; its last segment is the invite code.")


class GroupRef(BaseModel):
    name: str
    group_id: int


class GroupList(Success):
    groups: list[GroupRef]
