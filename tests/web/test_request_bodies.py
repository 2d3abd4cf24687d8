"""Request bodies (functions/_schemas): any JSON gives the model or the contract's exact 400."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from functions._schemas.accounts import Credentials, NewCredentials, RefreshRequest, TransferRequest
from functions._schemas.base import Reject, RequestBody
from functions._schemas.groups import NewGroup
from functions._schemas.uploads import UploadDeclaration
from shared.errors import BadRequest

MODELS: list[type[RequestBody]] = [
    Credentials,
    NewCredentials,
    RefreshRequest,
    TransferRequest,
    NewGroup,
    UploadDeclaration,
]
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=60)
)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children),
    max_leaves=12,
)


def _names(model: type[RequestBody]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


@st.composite
def bodies(draw: st.DrawFn) -> tuple[type[RequestBody], Any]:
    """A model and a body for it: any JSON, or an object of its own fields with any values."""
    model = draw(st.sampled_from(MODELS))
    own_fields = st.dictionaries(st.sampled_from(_names(model)), json_values)
    return model, draw(own_fields | json_values)


def test_every_request_model_answers_the_contract_for_every_field() -> None:
    for model in MODELS:
        assert model.unparsable.message
        for name, info in model.model_fields.items():
            assert any(isinstance(item, Reject) for item in info.metadata), (model, name)


@given(bodies())
def test_parse_gives_the_model_or_a_400(case: tuple[type[RequestBody], Any]) -> None:
    model, body = case

    outcome = _outcome(model, body)

    if isinstance(outcome, BadRequest):
        assert (outcome.status, bool(outcome.message)) == (400, True)
    else:
        assert isinstance(outcome, model)


def _outcome(model: type[RequestBody], body: object) -> RequestBody | BadRequest:
    try:
        return model.parse(body)
    except BadRequest as error:
        return error


@pytest.mark.parametrize(
    ("model", "body", "message", "error_id"),
    [
        (Credentials, None, "No username/password provided", 2),
        (Credentials, {"username": "a", "password": ""}, "No username/password provided", 2),
        (NewCredentials, {"username": 5, "password": "p"}, "No username/password provided", 2),
        (RefreshRequest, {"accessToken": None}, "No access token provided", 5),
        (TransferRequest, ["data"], "Couldn't parse request body", None),
        (TransferRequest, {"data": {"file_url": "x"}}, "No data field in request body", None),
        (NewGroup, {"group_name": " \t "}, "No group_name provided", None),
        (NewGroup, {"group_name": "n" * 51}, "Group name length exceeded (50 chars)", None),
        (UploadDeclaration, "{}", "The request body must be a JSON object", None),
        (UploadDeclaration, {"filename": " ", "size": 1}, "filename is required", None),
        (
            UploadDeclaration,
            {"filename": "a", "size": 1.0},
            "size must be the file's length in bytes, a whole number",
            None,
        ),
        (
            UploadDeclaration,
            {"filename": "a", "size": 1, "include_ext": [True]},
            "include_ext must be a string or a number",
            None,
        ),
    ],
)
def test_parse_rejects_with_the_contracts_message(
    model: type[RequestBody], body: object, message: str, error_id: int | None
) -> None:
    with pytest.raises(BadRequest) as raised:
        model.parse(body)

    assert (raised.value.message, raised.value.error_id) == (message, error_id)


def test_parse_reads_values_as_the_handlers_did() -> None:
    credentials = Credentials.parse({"username": " Cafe\u0301 ", "password": " p "})
    group = NewGroup.parse({"group_name": "  " + "n" * 50 + "  "})
    declared = UploadDeclaration.parse(
        {"filename": "a.txt", "size": 0, "expires_in": 60, "include_ext": True, "group_id": ""}
    )
    transfer = TransferRequest.parse({"data": [{"file_url": "u", "key": "k", "extra": 1}, 7]})

    assert (credentials.username, credentials.password) == ("Café", " p ")
    assert group.group_name == "n" * 50
    assert declared.options() == {"expires_in": "60", "include_ext": "true"}
    assert [getattr(item, "model_extra", item) for item in transfer.data] == [{"extra": 1}, 7]
