"""Make assets/fonts/lab-cjk-sc.woff2: the Chinese characters the lab shows, from Noto Sans CJK.

A classroom machine may have no Chinese font, and the lab reaches nothing on the internet, so
it serves its own (Streamlit's static serving, `static/` -> `assets/fonts/`). The whole Noto
Sans CJK is 16 MB; this keeps the 3,755 common characters of GB 2312's first level (what
most Chinese text is written with, names in a student's table included), every character of
the lab's own Chinese catalog, and Chinese punctuation: about 1.5 MB, fetched once per browser.

Developer step, run again after the catalog changes (tests/test_i18n.py says when):
    apt-get install fonts-noto-cjk && pip install fonttools brotli
    python assets/make_font.py
The font is under the SIL Open Font License 1.1 (assets/fonts/OFL.txt).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
SOURCE_FACE = 2  # the collection's faces: JP, KR, SC, TC, HK; SC is the third
TARGET = ROOT / "assets" / "fonts" / "lab-cjk-sc.woff2"
CATALOG = ROOT / "ae_core" / "locale" / "zh" / "LC_MESSAGES" / "messages.po"


def common_hanzi() -> set[str]:
    """GB 2312's first level: rows 16-55 of the code table, in pinyin order."""
    chars = set()
    for row in range(0xB0, 0xD8):
        for cell in range(0xA1, 0xFF):
            try:
                chars.add(bytes([row, cell]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return chars


def wide_chars(text: str) -> set[str]:
    """Every character outside ASCII and Latin-1 (the lab's Latin font draws those)."""
    return {c for c in text if ord(c) > 0x2E7F}


def needed_chars() -> set[str]:
    chars = common_hanzi()
    chars |= {chr(c) for c in range(0x3000, 0x3040)}  # CJK punctuation
    chars |= {chr(c) for c in range(0xFF01, 0xFF5F)}  # full-width forms
    if CATALOG.exists():
        chars |= wide_chars(CATALOG.read_text(encoding="utf-8"))
    return chars


def main() -> int:
    from fontTools import subset

    chars = needed_chars()
    options = subset.Options()
    options.flavor = "woff2"
    options.font_number = SOURCE_FACE
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    font = subset.load_font(str(SOURCE), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in chars])
    subsetter.subset(font)
    subset.save_font(font, str(TARGET), options)
    print(f"{TARGET.relative_to(ROOT)}: {len(chars)} characters, {TARGET.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
