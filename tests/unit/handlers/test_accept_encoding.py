"""Which Accept-Encoding headers take the status page gzipped (RFC 9110, 12.5.3)."""

import pytest

from handlers.http.status import takes_gzip


@pytest.mark.parametrize(("header", "takes"), [
    ("gzip", True),
    ("GZIP", True),
    ("gzip, deflate, br, zstd", True),  # what browsers send
    ("br;q=1.0, gzip;q=0.5", True),
    ("x-gzip", True),
    ("*", True),
    ("identity", False),
    ("", False),
    ("gzip;q=0", False),
    ("gzip;q=0.000", False),
    ("*;q=0", False),
    ("gzip;q=0, *", False),  # named and refused: the wildcard does not bring it back
    ("gzip;q=often", False),  # a q-value that is no number is taken as a refusal
])
def test_takes_gzip(header, takes):
    assert takes_gzip(header) is takes
