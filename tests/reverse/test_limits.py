"""The upload link's admission rule, over its whole table of cases (no storage)."""

from __future__ import annotations

import pytest

from shared.errors import UploadLinkBytesExhausted, UploadLinkFull
from shared.reverse.limits import Usage, Verdict, admit, refusal

ADMITTED, NO_FILES, NO_BYTES = Verdict.ADMITTED, Verdict.NO_FILES_LEFT, Verdict.NO_BYTES_LEFT


@pytest.mark.parametrize(
    ("files_used", "bytes_used", "files", "size", "expected"),
    [
        (0, 0, 1, 0, ADMITTED),  # a streamed upload's slot, size unknown yet
        (0, 0, 1, 100, ADMITTED),  # a direct upload: slot and declared size at once
        (0, 0, 1, 101, NO_BYTES),
        (2, 0, 1, 0, ADMITTED),  # the last slot
        (3, 0, 1, 0, NO_FILES),
        (3, 100, 1, 0, NO_FILES),  # files are checked first
        (1, 100, 1, 0, NO_BYTES),  # a slot is useless without a byte left
        (1, 99, 1, 0, ADMITTED),
        (1, 40, 0, 60, ADMITTED),  # a streamed upload's bytes, its slot already held
        (1, 40, 0, 61, NO_BYTES),
        (3, 40, 0, 60, ADMITTED),  # bytes alone never need a slot
        (1, 100, 0, 0, ADMITTED),  # an empty file fits even when the bytes are used up
    ],
)
def test_admit_over_every_case(
    files_used: int, bytes_used: int, files: int, size: int, expected: Verdict
) -> None:
    usage = Usage(max_files=3, max_bytes=100, files_used=files_used, bytes_used=bytes_used)

    assert admit(usage, files=files, size=size) is expected


def test_refusal_names_the_limit() -> None:
    assert isinstance(refusal(NO_FILES), UploadLinkFull)
    assert refusal(NO_FILES).error_id == 40
    assert isinstance(refusal(NO_BYTES), UploadLinkBytesExhausted)
    assert refusal(NO_BYTES).error_id == 41
