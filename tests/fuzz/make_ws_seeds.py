#!/usr/bin/env python3
"""Writes the seeds of the ws_frame_reader fuzz target to
corpus/ws_frame_reader/: client frames (masked, as RFC 6455 requires) a
browser sends, and a few a broken client sends. Each seed is 2 bytes of
max_message_size - 1 (little-endian), 1 byte that seeds the cuts (odd:
the readers assemble messages; every other seed is odd), then the stream.
Run it from anywhere; it overwrites the files it writes."""

import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "ws_frame_reader")
MASK = b"\x37\xfa\x21\x3d"


def frame(opcode, payload, fin=True, mask=MASK, rsv=0):
    b0 = (0x80 if fin else 0) | rsv | opcode
    n = len(payload)
    if n < 126:
        head = bytes([b0, 0x80 | n])
    elif n <= 0xFFFF:
        head = bytes([b0, 0x80 | 126]) + struct.pack(">H", n)
    else:
        head = bytes([b0, 0x80 | 127]) + struct.pack(">Q", n)
    masked = bytes(c ^ mask[i % 4] for i, c in enumerate(payload))
    return head + mask + masked


def close(code, reason=b""):
    return frame(8, struct.pack(">H", code) + reason)


SEEDS = {
    "text": frame(1, b"hello"),
    "binary_126": frame(2, bytes(range(126)) + bytes(74)),
    "fragmented_text": frame(1, b"caf\xc3", fin=False) + frame(0, b"\xa9 au lait"),
    "ping_between_fragments": frame(1, b"a", fin=False) + frame(9, b"keepalive")
    + frame(0, b"b"),
    "pong_empty": frame(10, b""),
    "close_with_reason": frame(1, b"bye") + close(1000, b"done \xe2\x9c\x93"),
    "close_empty": frame(8, b""),
    "too_big": frame(2, bytes(300)),
    "unmasked": bytes([0x81, 0x02]) + b"hi",
    "bad_utf8": frame(1, b"\xed\xa0\x80"),
    # The header of a 70000-byte frame and a little of its payload: over
    # any max_message_size the 2 size bytes can give, so 1009 from the header.
    "length_64": frame(2, bytes(70000))[:24],
    "continuation_first": frame(0, b"x"),
}

# The size each seed is read with: small enough that "too_big" hits 1009.
MAX_SIZE = {"too_big": 256, "length_64": 65536}

os.makedirs(OUT, exist_ok=True)
for i, (name, stream) in enumerate(sorted(SEEDS.items())):
    max_size = MAX_SIZE.get(name, 4096)
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(struct.pack("<H", max_size - 1) + bytes([i * 37 % 256]) + stream)
