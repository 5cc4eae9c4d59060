"""The encoding of a delimited text file. UTF-8 (with or without a byte-order mark) is read as it is; UTF-16
and UTF-32 by their byte-order mark (Excel's "Unicode text"); any other file by charset-normalizer's
detection among the code pages exports and spreadsheets write (Excel's "CSV" is the Windows code page of
the computer's language: Windows-1252 in Western Europe and the Americas, Shift_JIS in Japan, GBK in China).
A file no candidate decodes without a replacement character is an error: reading it anyway would turn names
into nonsense that then matches nothing."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import charset_normalizer

from sitegen.errors import SitegenError

# Code pages in the order a tie is settled (a short file often decodes equally well as several): the most
# common first. cp932 rather than shift_jis and gb18030 rather than gbk: the supersets Windows and Excel
# write, which also decode every file of the smaller one.
CANDIDATES = ("cp1252", "cp932", "gb18030", "cp949", "big5", "cp1250", "cp1251", "cp1253", "cp1254", "cp1255",
              "cp1256", "cp1257", "cp874", "cp1258")
NAMES = {
    "cp1252": "Windows-1252", "cp932": "Shift_JIS (Windows-31J)", "gb18030": "GBK (GB18030)",
    "cp949": "EUC-KR (Windows-949)", "big5": "Big5", "cp1250": "Windows-1250", "cp1251": "Windows-1251",
    "cp1253": "Windows-1253", "cp1254": "Windows-1254", "cp1255": "Windows-1255", "cp1256": "Windows-1256",
    "cp1257": "Windows-1257", "cp874": "Windows-874 (Thai)", "cp1258": "Windows-1258",
}
_BOMS = ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"), (b"\xff\xfe", "utf-16"),
         (b"\xfe\xff", "utf-16"))
DETECT_BYTES = 1 << 20  # detection looks at the file's first megabyte; the whole file is then decoded
TIE = 0.01  # charset-normalizer's "chaos" (0: clean text) within which two decodings are equally plausible


def decode_text(data: bytes, path: Path) -> tuple[str, str | None]:
    """(the text, a note for `sitegen check` naming the encoding when it is not UTF-8)."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            name = codec.upper()
            try:
                return data.decode(codec), f"encoding {name} (Excel's \"Unicode text\")"
            except UnicodeDecodeError as exc:
                raise SitegenError(f"cannot read the file as {name}, as its byte-order mark says: byte "
                                   f"{exc.start} is not {name}; save it again as CSV UTF-8", path) from None
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    for codec in ranked(data):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        return text, f"encoding {NAMES[codec]} (not UTF-8; detected)"
    raise SitegenError("cannot tell the file's encoding: it is not UTF-8, and no other encoding exports use "
                       "(such as Windows-1252, Shift_JIS, GBK) reads it without unreadable characters; "
                       "save it again as CSV UTF-8", path)


def ranked(data: bytes) -> list[str]:
    """The candidate code pages that read the file's start as plausible text, most plausible first."""
    head = data if len(data) <= DETECT_BYTES else data[:data.rfind(b"\n", 0, DETECT_BYTES) + 1 or DETECT_BYTES]
    chaos: dict[str, float] = {}
    for match in charset_normalizer.from_bytes(head, cp_isolation=list(CANDIDATES)):
        for codec in (match.encoding, *match.could_be_from_charset):  # (code pages giving the same text)
            if codec in NAMES:
                chaos.setdefault(codec, match.chaos)
    texts = {codec: head.decode(codec, errors="replace") for codec in chaos}
    return sorted(chaos, key=lambda c: (round(chaos[c] / TIE), _odd(texts[c]), CANDIDATES.index(c)))


def _odd(text: str) -> int:
    """Characters that real text seldom holds but a wrong code page makes of it: half-width katakana (GBK read
    as Shift_JIS), controls, private use, replacement characters."""
    return sum(1 for c in text[:65536] if "\uff61" <= c <= "\uff9f" or c == "\ufffd"
               or (unicodedata.category(c) in ("Cc", "Co") and c not in "\t\r\n"))
