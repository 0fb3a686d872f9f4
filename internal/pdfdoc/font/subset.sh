#!/usr/bin/env bash
# Rebuilds wqy-microhei-subset.ttf, the font every Cordon PDF embeds, from
# Debian's fonts-wqy-microhei (WenQuanYi Micro Hei 0.2.0-beta, Apache-2.0 or
# GPLv3 with the font exception; LICENSE.txt beside this script).
#
#   apt-get install fonts-wqy-microhei python3-fonttools
#   internal/pdfdoc/font/subset.sh
#
# The subset holds every character of GB2312 (6,763 hanzi, its punctuation,
# symbols, full-width forms, Greek, Cyrillic, kana, box drawing), printable
# ASCII and Latin-1, CJK punctuation, and the symbols reports use (Ω ± ≤ ≥ §
# × ÷ ① … ⑳ ‰ µ …) that the font draws. Hinting, OpenType layout and
# vertical metrics are dropped: PDF viewers do not need them. The output is
# the same on every run for a given fonttools version.
set -euo pipefail
cd "$(dirname "$0")"
src=${1:-/usr/share/fonts/truetype/wqy/wqy-microhei.ttc}
chars=$(mktemp)
trap 'rm -f "$chars"' EXIT

# Every character GB2312 encodes, then the extra ranges as code points.
/usr/bin/python3 - "$chars" "$src" <<'PY'
import sys
out = set()
for hi in range(0xA1, 0xF8):
    for lo in range(0xA1, 0xFF):
        try:
            out.add(bytes([hi, lo]).decode("gb2312"))
        except UnicodeDecodeError:
            pass
ranges = [
    (0x20, 0x7E),      # ASCII
    (0xA0, 0xFF),      # Latin-1 (§ ± × ÷ ° µ ¥ …)
    (0x2010, 0x2027),  # dashes, quotes, bullet, ellipsis
    (0x2030, 0x203B),  # ‰ ′ ″ ※
    (0x2103, 0x2103),  # ℃
    (0x2116, 0x2116),  # №
    (0x2122, 0x2122),  # ™
    (0x2126, 0x2126),  # Ω (ohm sign)
    (0x2160, 0x216B),  # Ⅰ … Ⅻ
    (0x2190, 0x2199),  # arrows
    (0x2460, 0x249B),  # ① … ⑳, ⑴ … ⒇, ⒈ … ⒛
    (0x25A0, 0x25CF),  # □ ■ ○ ● △ …
    (0x2605, 0x2606),  # ★ ☆
    (0x2713, 0x2714),  # ✓ ✔
    (0x3000, 0x303F),  # CJK punctuation
    (0xFF01, 0xFF5E),  # full-width forms
    (0xFFE0, 0xFFE5),  # full-width signs
]
for a, b in ranges:
    out.update(chr(c) for c in range(a, b + 1))
# The font maps a few characters (℃ Ⅴ Ⅹ ǎ …) to empty glyphs; leave them
# out, so that pdfdoc substitutes them (℃ → °C) instead of drawing nothing.
from fontTools.ttLib import TTCollection
font = TTCollection(sys.argv[2]).fonts[0]
cmap, glyf = font.getBestCmap(), font["glyf"]
out = {c for c in out if ord(c) in cmap and
       (c.isspace() or glyf[cmap[ord(c)]].numberOfContours != 0)}
with open(sys.argv[1], "w", encoding="utf-8") as f:
    f.write("".join(sorted(out)))
PY

/usr/bin/python3 -m fontTools.subset "$src" \
	--font-number=0 \
	--text-file="$chars" \
	--output-file=wqy-microhei-subset.ttf \
	--no-hinting \
	--layout-features='' \
	--drop-tables+=vhea,vmtx,FFTM,GDEF,GPOS,GSUB,gasp \
	--name-IDs='*' --name-languages='*' \
	--notdef-outline \
	--no-glyph-names
ls -l wqy-microhei-subset.ttf
