"""The simulated firmware image: a header (model, version, payload size), the payload, a checksum.

    SQNSIMFW | model[16] | version[32] | payload length (u32, big endian) | payload
    | sha256 of all before

`build_image` makes good and bad images of any size for tests and benches.
"""

from __future__ import annotations

import hashlib
import os
import struct
from dataclasses import dataclass

__all__ = ["CORRUPT", "WRONG_MODEL", "FirmwareImage", "ImageError", "build_image", "parse_image"]

MAGIC = b"SQNSIMFW"
_HEADER = struct.Struct(">8s16s32sI")
CORRUPT, WRONG_MODEL = 529, 530  # +CME ERROR codes (reference 5.1)


class ImageError(ValueError):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code


@dataclass(frozen=True)
class FirmwareImage:
    model: str
    version: str
    payload_size: int


def build_image(model: str, version: str, payload_size: int = 64 * 1024, seed: int = 0) -> bytes:
    rng = __import__("random").Random(seed)
    payload = bytes(rng.getrandbits(8) for _ in range(min(payload_size, 4096)))
    payload = (payload * (payload_size // max(1, len(payload)) + 1))[:payload_size]
    head = _HEADER.pack(MAGIC, model.encode()[:16], version.encode()[:32], payload_size)
    return head + payload + hashlib.sha256(head + payload).digest()


def parse_image(data: bytes, expected_model: str) -> FirmwareImage:
    if len(data) < _HEADER.size + 32:
        raise ImageError(CORRUPT, "image shorter than its header")
    magic, model, version, size = _HEADER.unpack_from(data)
    if magic != MAGIC:
        raise ImageError(CORRUPT, "not a firmware image")
    if len(data) != _HEADER.size + size + 32:
        raise ImageError(
            CORRUPT, f"image is {len(data)} bytes, its header says {_HEADER.size + size + 32}"
        )
    if hashlib.sha256(data[:-32]).digest() != data[-32:]:
        raise ImageError(CORRUPT, "checksum mismatch")
    model_name = model.rstrip(b"\0").decode(errors="replace")
    if model_name != expected_model:
        raise ImageError(WRONG_MODEL, f"image for {model_name}, not {expected_model}")
    return FirmwareImage(model_name, version.rstrip(b"\0").decode(errors="replace"), size)


def main() -> None:
    """`python -m cassiopeia_sim.firmware OUT MODEL VERSION [SIZE]`: write an image file."""
    import sys

    out, model, version, *size = sys.argv[1:]
    with open(out, "wb") as fh:
        fh.write(build_image(model, version, int(size[0]) if size else 64 * 1024))
    print(f"{out}: {os.path.getsize(out)} bytes, {model} {version}")


if __name__ == "__main__":
    main()
