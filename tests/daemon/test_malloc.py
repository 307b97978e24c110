"""`onboardd run` keeps glibc's mmap threshold fixed, so mail-sized buffers are unmapped
when freed rather than left in the heap (daemon/malloc.py fixed_mmap_threshold)."""

from __future__ import annotations

import ctypes
import platform
import subprocess
import sys

import pytest

from tests.conftest import REPO


class _Mallinfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena",
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",
            "usmblks",
            "fsmblks",
            "uordblks",
            "fordblks",
            "keepcost",
        )
    ]


def _mapped_bytes() -> int:
    """Bytes glibc holds in mmapped blocks (mallinfo2's hblkhd)."""
    mallinfo2 = ctypes.CDLL(None).mallinfo2
    mallinfo2.restype = _Mallinfo2
    return int(mallinfo2().hblkhd)


CHECK = """
import sys
from onboardd.daemon.malloc import MMAP_THRESHOLD, fixed_mmap_threshold
from tests.daemon.test_malloc import _mapped_bytes

if sys.argv[1] == "fixed":
    fixed_mmap_threshold()
large = bytearray(8 * MMAP_THRESHOLD)  # freeing it raises glibc's own threshold
del large
before = _mapped_bytes()
block = bytearray(2 * MMAP_THRESHOLD)
print(_mapped_bytes() - before >= len(block))
"""


def _block_mapped(how: str) -> bool:
    """In a fresh interpreter: no other thread frees mapped blocks meanwhile."""
    done = subprocess.run(
        [sys.executable, "-c", CHECK, how], cwd=REPO, capture_output=True, text=True, check=True
    )
    return done.stdout.strip() == "True"


@pytest.mark.skipif(
    platform.libc_ver()[0] != "glibc" or not hasattr(ctypes.CDLL(None), "mallinfo2"),
    reason="glibc >= 2.33 only",
)
def test_a_block_of_mail_size_is_mapped_even_after_a_larger_one_was_freed() -> None:
    # Left to adjust itself, glibc serves the block from the heap, where its space
    # stays resident after it is freed.
    assert not _block_mapped("glibc's own")
    assert _block_mapped("fixed")
