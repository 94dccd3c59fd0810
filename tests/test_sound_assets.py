"""Shipped sound assets: every file the specs name exists under web/sounds and is a
well-formed Ogg Vorbis stream of plausible length.

Names come from the specs (items.md §10.1 and §11, client.md §4.1 and §5.8), not from
the directory.  Pure Python: Ogg pages are walked (with CRC check), the Vorbis
identification header gives the sample rate and the last page's granule position the
length in samples.  Regenerate the files with ``python3 scripts/make_sounds.py``.
"""
from __future__ import annotations

import struct
from pathlib import Path

import pytest

SOUNDS = Path(__file__).resolve().parent.parent / "web" / "sounds"

# name (relative to web/sounds) -> (min seconds, max seconds)
SPEECH = (0.1, 2.5)
EXPECTED: dict[str, tuple[float, float]] = {
    # items.md §11, server-named
    "roll.ogg": (0.3, 2.0),
    "spin.ogg": (1.5, 4.0),
    "clock.ogg": (0.99, 1.01),  # seamless one-second loop: tick at 0, tock at 0.5 s
    "clock/el640/its.ogg": SPEECH,
    **{f"clock/el640/{n}.ogg": SPEECH for n in range(0, 21)},
    **{f"clock/el640/{n}.ogg": SPEECH for n in (30, 40, 50)},
    "clock/el640/o.ogg": SPEECH,
    "clock/el640/AM.ogg": SPEECH,
    "clock/el640/PM.ogg": SPEECH,
    "clock/el640/hour1.ogg": (0.3, 3.5),
    "clock/el640/hour2.ogg": (0.3, 3.5),
    "clock/el640/announcement.ogg": (0.3, 3.5),
    "clock/el640/alarm.ogg": (0.3, 4.0),
    # items.md §11 client-only / client.md §2, §4.1, §5.8
    "logon.ogg": (0.2, 1.5),
    "logout.ogg": (0.2, 1.5),
    "notify.ogg": (0.03, 0.6),
    "action.ogg": (0.03, 0.6),
    **{f"step-{i}.ogg": (0.05, 0.6) for i in range(1, 12)},
    "teleport_start.ogg": (0.3, 3.0),  # looped during the glide
    "teleport.ogg": (0.2, 2.0),
    "wall.ogg": (0.05, 1.0),
}


def _crc_table() -> list[int]:
    table = []
    for i in range(256):
        r = i << 24
        for _ in range(8):
            r = ((r << 1) ^ 0x04C11DB7) if r & 0x80000000 else (r << 1)
        table.append(r & 0xFFFFFFFF)
    return table


_CRC = _crc_table()


def ogg_crc(data: bytes) -> int:
    crc = 0
    for b in data:
        crc = ((crc << 8) & 0xFFFFFFFF) ^ _CRC[((crc >> 24) & 0xFF) ^ b]
    return crc


def parse_ogg(data: bytes) -> list[dict]:
    """Split ``data`` into Ogg pages; raise AssertionError on any malformed page."""
    pages, pos = [], 0
    while pos < len(data):
        assert data[pos:pos + 4] == b"OggS", f"no Ogg capture pattern at byte {pos}"
        assert len(data) >= pos + 27, "truncated page header"
        version, htype, granule, serial, seq, crc, nseg = struct.unpack_from(
            "<BBqIIIB", data, pos + 4)
        assert version == 0, "unknown Ogg version"
        segs = data[pos + 27:pos + 27 + nseg]
        assert len(segs) == nseg, "truncated segment table"
        end = pos + 27 + nseg + sum(segs)
        assert end <= len(data), "truncated page body"
        page = bytearray(data[pos:end])
        page[22:26] = b"\0\0\0\0"
        assert ogg_crc(bytes(page)) == crc, f"bad CRC on page {seq}"
        pages.append({"type": htype, "granule": granule, "serial": serial, "seq": seq,
                      "body": data[pos + 27 + nseg:end]})
        pos = end
    return pages


def vorbis_info(path: Path) -> dict:
    data = path.read_bytes()
    assert data[:4] == b"OggS", "file does not start with the Ogg page magic OggS"
    pages = parse_ogg(data)
    first, last = pages[0], pages[-1]
    assert first["type"] & 0x02, "first page is not flagged beginning-of-stream"
    assert last["type"] & 0x04, "last page is not flagged end-of-stream"
    assert len({p["serial"] for p in pages}) == 1, "more than one logical stream"
    assert [p["seq"] for p in pages] == list(range(len(pages))), "page sequence gap"
    ident = first["body"]
    assert len(ident) == 30 and ident[:7] == b"\x01vorbis", "no Vorbis identification header"
    vversion, channels, rate = struct.unpack_from("<IBI", ident, 7)
    assert vversion == 0 and ident[29] & 1, "bad Vorbis identification header"
    assert len(pages) > 1 and pages[1]["body"][:7] == b"\x03vorbis", "no Vorbis comment header"
    assert last["granule"] > 0, "no audio"
    return {"channels": channels, "rate": rate, "samples": last["granule"],
            "seconds": last["granule"] / rate, "size": len(data)}


def test_expected_list_matches_spec_counts():
    # 3 server sounds + its + 0..20 + 3 tens + o + AM/PM + 4 intro/outro = 35;
    # client: logon, logout, notify, action, 11 steps, teleport x2, wall = 18
    assert len(EXPECTED) == 53


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sound_asset(name):
    path = SOUNDS / name
    assert path.is_file(), f"missing web/sounds/{name} (run scripts/make_sounds.py)"
    info = vorbis_info(path)
    assert 1 <= info["channels"] <= 2
    assert 8000 <= info["rate"] <= 48000
    lo, hi = EXPECTED[name]
    assert lo <= info["seconds"] <= hi, f"{name}: {info['seconds']:.3f} s not in [{lo}, {hi}]"
    assert info["size"] < 200_000, f"{name} is {info['size']} bytes"


def test_total_size_small():
    total = sum((SOUNDS / n).stat().st_size for n in EXPECTED if (SOUNDS / n).is_file())
    assert total < 2_000_000, f"sound set is {total} bytes"
