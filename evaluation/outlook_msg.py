"""Outlook .msg files written from scratch, for the evaluation set and the tests.

olefile only reads compound files, and no tool here writes one, so this writes the
compound file itself (MS-CFB version 3: a header, one FAT sector, the directory, and
every stream in the mini stream) with the properties of a mail (MS-OXMSG). Outlook
writes more properties than these, but reads a file with only these.
"""

from __future__ import annotations

import struct

_FREE, _END, _FAT_SECTOR, _NO_ENTRY = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def compound_file(streams: dict[str, bytes]) -> bytes:
    """A compound file holding top-level `streams` of under 4096 bytes each."""
    names = sorted(streams)
    mini = bytearray()
    mini_fat: list[int] = []
    placed: list[tuple[int, int]] = []  # (first mini sector, size) per stream
    for name in names:
        data = streams[name]
        if len(data) >= 4096:
            raise ValueError(f"stream {name} is too long for this writer")
        count = max(1, -(-len(data) // 64))
        first = len(mini_fat)
        mini_fat += [first + i + 1 for i in range(count - 1)] + [_END]
        mini += data.ljust(count * 64, b"\0")
        placed.append((first, len(data)))

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        encoded = name.encode("utf-16-le") + b"\0\0"
        return (encoded.ljust(64, b"\0") + struct.pack("<HBB", len(encoded), kind, 1)
                + struct.pack("<III", _NO_ENTRY, right, child) + bytes(36)
                + struct.pack("<IQ", start, size))

    def sectors(blob: bytes | bytearray) -> int:
        return max(1, -(-len(blob) // 512))

    mini_fat_blob = struct.pack(f"<{len(mini_fat)}I", *mini_fat)
    # Sectors: 0 the FAT, then the directory, the mini FAT and the mini stream.
    directory_count = sectors(bytes(128 * (len(names) + 1)))
    mini_fat_start = 1 + directory_count
    mini_start = mini_fat_start + sectors(mini_fat_blob)
    directory = entry("Root Entry", 5, 1, _NO_ENTRY, mini_start, len(mini))
    for number, (name, (start, size)) in enumerate(zip(names, placed, strict=True), 1):
        right = number + 1 if number < len(names) else _NO_ENTRY  # siblings in a chain
        directory += entry(name, 2, _NO_ENTRY, right, start, size)
    fat = [_FAT_SECTOR]
    for first, count in ((1, directory_count), (mini_fat_start, sectors(mini_fat_blob)),
                         (mini_start, sectors(mini))):
        fat += [first + i + 1 for i in range(count - 1)] + [_END]
    header = bytearray(512)
    header[:8] = bytes.fromhex("D0CF11E0A1B11AE1")
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 40, 0, 1, 1, 0, 4096, mini_fat_start,
                     sectors(mini_fat_blob), _END, 0)
    struct.pack_into("<109I", header, 76, 0, *[_FREE] * 108)
    return (bytes(header) + struct.pack(f"<{len(fat)}I", *fat).ljust(512, b"\xff")
            + directory.ljust(directory_count * 512, b"\0")
            + mini_fat_blob.ljust(sectors(mini_fat_blob) * 512, b"\xff")
            + bytes(mini).ljust(sectors(mini) * 512, b"\0"))


def a_msg(sender_name: str, sender_address: str, subject: str, body: str) -> bytes:
    """A mail saved from Outlook: its sender, subject and plain-text body."""

    def text(value: str) -> bytes:
        return value.encode("utf-16-le")

    return compound_file({
        "__properties_version1.0": bytes(32),  # the header of a mail's property stream
        "__substg1.0_001A001F": text("IPM.Note"),  # message class
        "__substg1.0_0037001F": text(subject),
        "__substg1.0_0C1A001F": text(sender_name),
        "__substg1.0_5D01001F": text(sender_address),  # the sender's SMTP address
        "__substg1.0_1000001F": text(body.replace("\n", "\r\n")),
    })
