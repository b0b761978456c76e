"""The bad-input corpus: hostile files, file names, messages and SSE lines, built at test time.

No binaries are committed (the skill folder stays text-only): valid bases are
drawn with Pillow, lies are hand-written headers with correct checksums, and
random bytes come from a seeded generator so every run sees the same corpus.
Every case carries a stable ``id`` for pytest and the outcome each surface
must produce:

- ``reject``: refused as unsupported (4001 / ``UnsupportedFileError``);
- ``large``: refused as too large (``FileTooLargeError``; over HTTP 4001 or 4002);
- ``refused``: refused cleanly, as unsupported or as too large;
- ``safe``: refused cleanly, or accepted intact (decoders legitimately
  tolerate some damage: the promise is no crash and no stray file);
- ``ok``: accepted (a valid file, whatever else it carries).
"""

from __future__ import annotations

import io
import random
import struct
import zlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

Outcome = Literal["reject", "large", "refused", "safe", "ok"]
FORMATS: tuple[str, ...] = ("jpg", "png", "gif", "webp", "heic")
BOMB_SIDE = 11_000  # 121 MP: just over the engine's 120 MP limit
HUGE_BOMB_SIDE = 20_000  # 400 MP: over twice the limit (Pillow's hard error path)
BASE_SIZE = (96, 64)  # valid bases: 64 px is the smallest short side a photo upload may have


@dataclass(frozen=True)
class FileCase:
    """One hostile file: what it is called, its bytes, and what each surface must do."""

    id: str
    name: str
    data: bytes
    engine: Outcome
    server: Outcome

    def write(self, folder: Path) -> Path:
        """Write the file into ``folder`` and return its path."""
        path = folder / self.name
        path.write_bytes(self.data)
        return path


@dataclass(frozen=True)
class NameCase:
    """A hostile multipart file name sent with valid JPEG content.

    ``header`` is the raw Content-Disposition parameter text after ``name="files"; ``.
    ``stored`` says whether the server must store the file (under a safe name),
    refuse it as unsupported (no usable extension, or no ``files`` part left),
    or (None) may do either as long as it does it safely.
    """

    id: str
    header: bytes
    stored: bool | None


@dataclass(frozen=True)
class SSECase:
    """Lines of a ``/run_sse`` stream and the kind of event they must decode to.

    ``expect``: ``protocol`` (an ErrorEvent with protocol=True), ``agent`` (an
    agent ErrorEvent), ``quiet`` (heartbeats or nothing), ``safe`` (anything, no
    exception), or an event class name that must appear.
    """

    id: str
    lines: tuple[str, ...]
    expect: str


def rng(seed: str) -> random.Random:
    """A generator seeded by a case name: the same bytes every run."""
    return random.Random(seed)


# --- valid bases -------------------------------------------------------------


@cache
def base(fmt: str) -> bytes:
    """A small valid textured image in ``fmt`` (:data:`BASE_SIZE`, the smallest a photo may be)."""
    from PIL import Image, ImageDraw

    width, height = BASE_SIZE
    img = Image.new("RGB", BASE_SIZE, (40, 90, 160))
    draw = ImageDraw.Draw(img)
    for i in range(0, width + height, 8):
        draw.line([(i, 0), (i - height, height)], fill=((i * 7) % 255, (i * 3) % 255, 220), width=3)
    buffer = io.BytesIO()
    if fmt == "heic":
        import pillow_heif

        pillow_heif.register_heif_opener()
        img.save(buffer, "HEIF")
    else:
        img.save(buffer, {"jpg": "JPEG", "png": "PNG", "gif": "GIF", "webp": "WEBP"}[fmt])
    return buffer.getvalue()


def magic(fmt: str) -> bytes:
    """The bytes a sniffer recognises ``fmt`` by, and no more."""
    return base(fmt)[: 12 if fmt in ("webp", "heic") else 8]


# --- hand-written headers ------------------------------------------------------


def png_chunk(tag: bytes, body: bytes) -> bytes:
    """One PNG chunk with its CRC (decoders check it, so lies must be well-formed)."""
    return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body))


def png_header(width: int, height: int, *, depth: int = 8, colour: int = 2) -> bytes:
    """A PNG that claims ``width`` x ``height`` and carries one empty IDAT."""
    ihdr = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", zlib.compress(b""))
        + png_chunk(b"IEND", b"")
    )


@cache
def png_bomb(side: int) -> bytes:
    """A 1-bit PNG of ``side`` x ``side`` black pixels: a few KB that decode to side² pixels."""
    row = b"\x00" * (1 + (side + 7) // 8)
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    ihdr = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


def jpeg_claiming(width: int, height: int) -> bytes:
    """The valid base JPEG with its frame header (SOF0) patched to claim another size."""
    data = bytearray(base("jpg"))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def gif_claiming(width: int, height: int) -> bytes:
    """The valid base GIF with its logical screen patched to ``width`` x ``height``."""
    data = bytearray(base("gif"))
    data[6:10] = struct.pack("<HH", width, height)
    return bytes(data)


def webp_claiming(width: int, height: int) -> bytes:
    """An extended WEBP (VP8X) whose canvas claims ``width`` x ``height``, with no image."""
    vp8x = bytes([0, 0, 0, 0]) + (width - 1).to_bytes(3, "little")
    vp8x += (height - 1).to_bytes(3, "little")
    chunk = b"VP8X" + struct.pack("<I", len(vp8x)) + vp8x
    return b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk


def flip_middle(data: bytes, seed: str) -> bytes:
    """``data`` with a tenth of its middle bytes overwritten by noise."""
    out = bytearray(data)
    start, span = len(out) // 2, max(8, len(out) // 10)
    out[start : start + span] = rng(seed).randbytes(min(span, len(out) - start))
    return bytes(out)


# --- file cases ----------------------------------------------------------------


def damaged(fmt: str) -> list[FileCase]:
    """Eight ways one format can be broken, each named ``<fmt>-<how>``."""
    data = base(fmt)
    noise = rng(f"{fmt}-noise").randbytes(2048)
    ext = fmt
    return [
        FileCase(f"{fmt}-zero-bytes", f"empty.{ext}", b"", "reject", "reject"),
        FileCase(f"{fmt}-magic-only", f"magic.{ext}", magic(fmt), "reject", "reject"),
        FileCase(
            f"{fmt}-first-quarter", f"quarter.{ext}", data[: len(data) // 4], "reject", "safe"
        ),
        FileCase(f"{fmt}-last-byte-cut", f"cut.{ext}", data[:-1], "safe", "safe"),
        FileCase(f"{fmt}-noise-in-middle", f"flip.{ext}", flip_middle(data, fmt), "safe", "safe"),
        FileCase(f"{fmt}-magic-then-noise", f"noise.{ext}", magic(fmt) + noise, "refused", "safe"),
        FileCase(f"{fmt}-random-bytes", f"random.{ext}", noise, "reject", "reject"),
        FileCase(
            f"{fmt}-text", f"text.{ext}", b"hello, I am not an image\n" * 4, "reject", "reject"
        ),
    ]


@cache
def photo(fmt: str, size: tuple[int, int] = (320, 240)) -> bytes:
    """A valid textured photo in ``fmt``, bigger than a base (damage lands in pixel data)."""
    from PIL import Image, ImageDraw

    width, height = size
    img = Image.new("RGB", size, (40, 90, 160))
    draw = ImageDraw.Draw(img)
    for i in range(0, width + height, 8):
        draw.line([(i, 0), (i - height, height)], fill=((i * 7) % 255, 120, 220), width=3)
    buffer = io.BytesIO()
    if fmt == "heic":
        import pillow_heif

        pillow_heif.register_heif_opener()
    img.save(buffer, {"jpg": "JPEG", "png": "PNG", "webp": "WEBP", "heic": "HEIF"}[fmt])
    return buffer.getvalue()


def garbage_after_header(fmt: str) -> bytes:
    """The photo's headers intact, every byte of image data after them noise.

    libjpeg decodes some noise tails without an error (191 of 200 random tails of
    this photo are refused: a tail holding an early end marker is drawn as grey);
    this seed's tail is one it refuses, like the export would.
    """
    data = photo(fmt)
    start = data.index(b"IDAT") + 4 if fmt == "png" else _jpeg_scan_start(data)
    return data[:start] + rng(f"{fmt}-garbage-after-header").randbytes(len(data) - start)


def _jpeg_scan_start(data: bytes) -> int:
    sos = data.index(b"\xff\xda")
    return sos + 2 + int.from_bytes(data[sos + 2 : sos + 4], "big")


def damaged_photos() -> list[FileCase]:
    """Real photos damaged the way transfers damage them: valid headers, broken data.

    The engine cannot decode them; the server must refuse them at upload (decoding
    them in full), not accept them and fail at export.
    """
    cases = [
        FileCase(f"{fmt}-photo-truncated", f"truncated.{fmt}", photo(fmt)[: len(photo(fmt)) * 3 // 5],
                 "reject", "reject")
        for fmt in ("jpg", "png", "webp", "heic")
    ]  # fmt: skip
    return cases + [
        FileCase(f"{fmt}-garbage-after-header", f"garbage.{fmt}", garbage_after_header(fmt),
                 "reject", "reject")
        for fmt in ("jpg", "png")
    ]  # fmt: skip


def png_of(width: int, height: int) -> bytes:
    """A valid PNG of ``width`` x ``height`` (one colour: tiny on disk whatever its shape)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 120, 40)).save(buffer, "PNG")
    return buffer.getvalue()


def unframeable() -> list[FileCase]:
    """Valid photos the engine cannot frame sensibly: refused at upload with the limit.

    The engine still loads them (``ok``); the server refuses them (4001).
    """
    return [
        FileCase("png-10000x10", "strip.png", png_of(10_000, 10), "ok", "reject"),
        FileCase("png-10x10000", "pole.png", png_of(10, 10_000), "ok", "reject"),
        FileCase("png-5-to-1", "panorama.png", png_of(1000, 200), "ok", "reject"),
        FileCase("png-40x40", "icon.png", png_of(40, 40), "ok", "reject"),
        FileCase("png-4-to-1-is-fine", "wide.png", png_of(800, 200), "ok", "ok"),
        FileCase("png-1-to-4-is-fine", "tall.png", png_of(64, 256), "ok", "ok"),
    ]


def huge() -> list[FileCase]:
    """Headers that claim absurd dimensions, and real decompression bombs."""
    return [
        FileCase("png-claims-100000x100000", "huge.png", png_header(100_000, 100_000), "large", "large"),
        FileCase("png-claims-2147483647x1", "wide.png", png_header(2**31 - 1, 1), "large", "large"),
        FileCase("png-claims-0x0", "zero.png", png_header(0, 0), "reject", "reject"),
        FileCase("jpg-claims-65500x65500", "huge.jpg", jpeg_claiming(65_500, 65_500), "large", "large"),
        FileCase("gif-claims-65535x65535", "huge.gif", gif_claiming(65_535, 65_535), "large", "large"),
        FileCase("webp-claims-16384x16384", "huge.webp", webp_claiming(16_384, 16_384), "large", "large"),
        FileCase("png-bomb-121mp", "bomb.png", png_bomb(BOMB_SIDE), "large", "large"),
        FileCase("png-bomb-400mp", "bomb400.png", png_bomb(HUGE_BOMB_SIDE), "large", "large"),
    ]  # fmt: skip


ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 44
PE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 50 + b"PE\x00\x00"
ZIP = b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 20 + b"evil.sh"
MP4_HEAD = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"


def wrong_extension() -> list[FileCase]:
    """Content that is not what its name says."""
    return [
        FileCase("png-named-mp3", "song.mp3", base("png"), "reject", "reject"),
        FileCase("png-named-exe", "photo.exe", base("png"), "reject", "reject"),
        FileCase("jpg-named-png", "photo.png", base("jpg"), "ok", "reject"),
        FileCase("png-named-jpg", "photo.jpg", base("png"), "ok", "reject"),
        FileCase("webp-named-gif", "photo.gif", base("webp"), "ok", "reject"),
        FileCase("elf-named-png", "photo.png", ELF, "reject", "reject"),
        FileCase("pe-named-jpg", "photo.jpg", PE, "reject", "reject"),
        FileCase("zip-named-jpg", "photo.jpg", ZIP, "reject", "reject"),
        FileCase("pdf-named-webp", "photo.webp", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n", "reject", "reject"),
        FileCase("html-named-gif", "photo.gif", b"<html><script>alert(1)</script></html>", "reject", "reject"),
        FileCase("svg-named-png", "photo.png", b'<svg xmlns="http://www.w3.org/2000/svg"/>', "reject", "reject"),
        FileCase("mp4-header-named-jpg", "clip.jpg", MP4_HEAD, "reject", "reject"),
        FileCase("shell-named-heic", "photo.heic", b"#!/bin/sh\nrm -rf ~\n", "reject", "reject"),
        FileCase("jpg-without-extension", "photo", base("jpg"), "reject", "reject"),
    ]  # fmt: skip


def polyglots() -> list[FileCase]:
    """Files that are valid images and something else at once: stored inert, never run."""
    jpg, png = base("jpg"), base("png")
    php = b"\xff\xfe" + struct.pack(">H", 2 + 30) + b"<?php system($_GET['c']); ?>\x00\x00"
    gif_js = b"GIF89a/*\x0a\x00\x0a\x00\x00\x00\x00*/=1;alert(document.domain);//" + b"\x00" * 16
    return [
        FileCase("jpg-with-zip-appended", "poly.jpg", jpg + ZIP * 4, "ok", "ok"),
        FileCase(
            "png-with-html-appended", "poly.png", png + b"<script>alert(1)</script>", "ok", "ok"
        ),
        FileCase("jpg-with-php-comment", "poly.jpg", jpg[:2] + php + jpg[2:], "ok", "ok"),
        FileCase("gif-js-polyglot", "poly.gif", gif_js, "refused", "safe"),
    ]


def file_cases() -> list[FileCase]:
    """Every hostile file of the corpus."""
    cases = [case for fmt in FORMATS for case in damaged(fmt)]
    return cases + damaged_photos() + unframeable() + huge() + wrong_extension() + polyglots()


# --- multipart names -------------------------------------------------------------


def _quoted(name: str) -> bytes:
    return b'filename="' + name.encode("utf-8", "surrogatepass") + b'"'


def name_cases() -> list[NameCase]:
    """Hostile file names as a client could put them in the multipart header."""
    plain: dict[str, tuple[str, bool]] = {
        "dot-dot-slash": ("../x.jpg", True),
        "deep-traversal": ("../../../../etc/cron.d/x.jpg", True),
        "absolute-path": ("/etc/passwd.jpg", True),
        "absolute-tmp": ("/tmp/evil.jpg", True),
        "windows-absolute": ("C:\\Windows\\System32\\x.jpg", True),
        "windows-traversal": ("..\\..\\x.jpg", True),
        "mixed-separators": ("..\\../x.jpg", True),
        "unc-path": ("\\\\server\\share\\x.jpg", True),
        "home-tilde": ("~/x.jpg", True),
        "nul-inside": ("a\x00b.jpg", True),
        "nul-before-other-extension": ("x.jpg\x00.png", False),
        "300-chars": ("a" * 296 + ".jpg", True),
        "semicolons": ("a;b=c.jpg", True),
        "ansi-escape": ("\x1b[31mred.jpg", True),
        "unicode": ("照片 été.jpg", True),
        "emoji": ("🎬🎞️.jpg", True),
        "bidi-override": ("x\u202egpj.jpg", True),
        "leading-dots": ("...hidden.jpg", True),
        "only-extension": (".jpg", False),
        "dot-dot": ("..", False),
        "empty": ("", False),
        "exe-after-jpg": ("photo.jpg.exe", False),
        "device-name": ("CON.jpg", True),
    }
    cases = [NameCase(k, _quoted(v), stored) for k, (v, stored) in plain.items()]
    raw: dict[str, tuple[bytes, bool | None]] = {
        # the injected name= wins, so no part is called "files" any more
        "quote-injection": (b'filename="x.jpg"; name="evil"', False),
        "escaped-quote": (b'filename="a\\"b.jpg"', True),
        "newline-in-name": (b'filename="a\nb.jpg"', True),
        # RFC 7578 forbids filename* in form data; parsers may drop it: either way is safe
        "rfc5987-traversal": (b"filename*=UTF-8''..%2F..%2Fx.jpg", None),
        "rfc5987-invalid-utf8": (b"filename*=UTF-8''%FF%FE.jpg", None),
        "rfc5987-nul": (b"filename*=UTF-8''a%00b.jpg", None),
        "both-forms-traversal": (b"filename=\"a.jpg\"; filename*=UTF-8''..%2F..%2Fb.jpg", True),
        "latin1-bytes": (b'filename="caf\xe9.jpg"', True),
    }
    return cases + [NameCase(k, v, stored) for k, (v, stored) in raw.items()]


def multipart(boundary: str, parts: list[tuple[bytes, bytes]], *, close: bool = True) -> bytes:
    """A multipart/form-data body written byte by byte (no client-side escaping).

    Each part is (Content-Disposition parameters after ``form-data; ``, content).
    """
    out = b""
    for params, content in parts:
        out += f"--{boundary}\r\n".encode()
        out += b"Content-Disposition: form-data; " + params + b"\r\n"
        out += b"Content-Type: application/octet-stream\r\n\r\n" + content + b"\r\n"
    return out + (f"--{boundary}--\r\n".encode() if close else b"")


# --- messages --------------------------------------------------------------------

MIB = 1024 * 1024


def message_cases() -> dict[str, str]:
    """Hostile user messages: encodings, control characters, sizes."""
    return {
        "undecodable-argv-bytes": b"export \xff\xfe\xfd".decode("utf-8", "surrogateescape"),
        "lone-surrogate": "make it \ud800 longer",
        "nul-bytes": "export\x00\x00the video",
        "control-characters": "".join(map(chr, range(32))) + "credits",
        "ansi-escapes": "\x1b[2J\x1b[31mshow status\x1b[0m",
        "bidi-override": "\u202etropxe the video",
        "zero-width": "ex\u200bport\u200d the\ufeff video",
        "combining-marks": "e" + "\u0301" * 10_000,
        "one-mebibyte": "make it pop " * (MIB // 12),
        "one-long-word": "x" * MIB,
        "format-strings": "%s%n%x {0} {__class__} ${HOME} $(rm -rf /)",
        "json-lookalike": '{"code": 0, "data": {"action": "export"}}',
        "sql-lookalike": "'; DROP TABLE sessions; -- export",
        "only-odd-whitespace": "\u3000\u00a0\u2028\u2029\t\v\f",
        "emoji-flood": "🎬" * 50_000,
        "private-use": "\ue000\uf8ff\U000f0000 status",
    }


# --- SSE -----------------------------------------------------------------------------


def _data(*payloads: str) -> tuple[str, ...]:
    lines: list[str] = []
    for payload in payloads:
        lines += [f"data: {payload}", ""]
    return tuple(lines)


def sse_cases() -> list[SSECase]:
    """Broken, odd and hostile ``/run_sse`` streams (text lines, as the decoder sees them)."""
    deep = "[" * 100_000 + "]" * 100_000
    big_text = '{"content": {"parts": [{"text": "' + "x" * MIB + '"}]}}'
    p = "protocol"
    table: list[tuple[str, tuple[str, ...], str]] = [
        ("open-brace", _data("{"), p),
        ("missing-value", _data('{"a":}'), p),
        ("unclosed-array", _data("[1, 2"), p),
        ("single-quotes", _data("{'content': 1}"), p),
        ("trailing-comma", _data('{"a": 1,}'), p),
        ("truncated-frame-at-eof", ('data: {"content": {"parts": [{"text": "hel',), p),
        ("latin1-garbage", _data(bytes(range(128, 256)).decode("latin-1")), p),
        ("nul-and-controls", _data("\x00\x01\x02\x7f"), p),
        ("null", _data("null"), p),
        ("number", _data("123"), p),
        ("huge-exponent", _data("1e999999"), p),
        ("nan", _data("NaN"), p),
        ("string", _data('"surprise"'), p),
        ("array", _data("[]"), p),
        ("true", _data("true"), p),
        ("deep-nesting", _data(deep), p),
        ("not-sse-line", ("garbage line", ""), p),
        ("bom-before-data", ("\ufeffdata: {}", ""), p),
        ("agent-error", _data('{"error": "boom", "error_details": {"x": 1}}'), "agent"),
        ("agent-error-null", _data('{"error": null}'), "agent"),
        ("agent-error-object", _data('{"error": {"message": 5}}'), "agent"),
        ("error-code-camel", _data('{"errorCode": "MALFORMED", "errorMessage": null}'), "agent"),
        ("flat-error", _data('{"type": "error"}'), "agent"),
        ("empty-data", ("data:", ""), "quiet"),
        ("comment-ping", (": ping",), "quiet"),
        ("event-and-id-only", ("event: message", "id: \x00", "retry: abc", ""), "quiet"),
        ("blank-lines", ("", "", "\r\n"), "quiet"),
        ("content-is-string", _data('{"content": "x"}'), "quiet"),
        ("parts-not-a-list", _data('{"content": {"parts": "x"}}'), "quiet"),
        ("parts-of-junk", _data('{"content": {"parts": [1, null, "x", []]}}'), "quiet"),
        ("call-not-an-object", _data('{"content": {"parts": [{"functionCall": "x"}]}}'), "quiet"),
        ("call-with-junk", _data('{"content": {"parts": [{"functionCall": {"name": null, "args": [1]}}]}}'), "ToolCallEvent"),
        ("question-options-junk", _data('{"content": {"parts": [{"functionCall": {"name": "ask_question", "args": {"options": "abc"}}}]}}'), "QuestionEvent"),
        ("state-delta-list", _data('{"actions": {"stateDelta": [1]}}'), "quiet"),
        ("actions-string", _data('{"actions": "x"}'), "quiet"),
        ("flat-type-number", _data('{"type": 5}'), "quiet"),
        ("flat-text-null", _data('{"type": "text", "text": null}'), "quiet"),
        ("flat-call-args-string", _data('{"type": "tool_call", "args": "x"}'), "ToolCallEvent"),
        ("flat-state-number", _data('{"type": "state", "delta": 7}'), "safe"),
        ("one-mebibyte-text", _data(big_text), "TextEvent"),
        ("lone-surrogate-escape", _data('{"content": {"parts": [{"text": "\\ud800"}]}}'), "TextEvent"),
        ("crlf-framing", ('data: {"type": "heartbeat"}\r\n', "\r\n"), "quiet"),
    ]  # fmt: skip
    return [SSECase(i, lines, expect) for i, lines, expect in table]


WIRE_STREAMS: dict[str, bytes] = {
    "invalid-utf8-bytes": b'data: {"type": "text", "text": "caf\xe9 \xff\xfe"}\n\n',
    "nul-bytes-on-the-wire": b"data: \x00\x00\x00\n\n",
    "cut-mid-frame": b'data: {"content": {"parts": [{"text": "hel',
    "binary-noise": bytes(random.Random("wire").randbytes(4096)),
}
