"""How people and clerks actually key data in: case, stray spaces, full-width letters, phone and ID formats.

Each messy field is rendered from a clean value plus a small integer "style", so the same person can be
rendered two ways (a duplicate customer record) and a re-render of a record gives the same string.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from creditwh.simulate.arrow import digit_matrix, fixed_width_strings

# Name styles: canonical, UPPER, lower, leading space, trailing spaces, alternative form, FULL-WIDTH UPPER.
NAME_STYLE_P = (0.80, 0.07, 0.03, 0.02, 0.02, 0.03, 0.03)
FULL_WIDTH_STYLE = 6


def full_width(text: str) -> str:
    """'ZHANG' -> 'ＺＨＡＮＧ' (ASCII letters/digits to U+FF01.., space to the ideographic space)."""
    return "".join("\u3000" if c == " " else chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def name_variants(canonical: str, alternative: str | None = None) -> list[str]:
    """The ways one name gets keyed in, indexed by name style."""
    return [
        canonical,
        canonical.upper(),
        canonical.lower(),
        " " + canonical,
        canonical + "  ",
        alternative or canonical.upper() + " ",
        full_width(canonical.upper()),
    ]


def variant_pool(names: list[tuple[str, str | None]]) -> pa.Array:
    """Flattened variants: the string for (name i, style s) is at i * n_styles + s."""
    return pa.array([v for canonical, alt in names for v in name_variants(canonical, alt)], type=pa.string())


N_NAME_STYLES = len(NAME_STYLE_P)


def combine(parts: list[tuple[np.ndarray, pa.Array]], n: int) -> pa.Array:
    """Put arrays rendered for disjoint row subsets back in row order."""
    parts = [(rows, arr) for rows, arr in parts if len(rows)]
    if not parts:
        return pa.array([], type=pa.string())
    order = np.concatenate([rows for rows, _ in parts])
    position = np.empty(n, dtype=np.int64)
    position[order] = np.arange(n)
    return pa.concat_arrays([arr for _, arr in parts]).take(pa.array(position))


def from_template(template: str, digits: np.ndarray) -> pa.Array:
    """Fill the 'd' slots of a template left to right with the rows' digits: ('+86 ddd', [[1,3,8,..]])."""
    slots = [i for i, c in enumerate(template) if c == "d"]
    out = np.empty((len(digits), len(template)), dtype=np.uint8)
    out[:] = np.frombuffer(template.encode(), dtype=np.uint8)
    out[:, slots] = digits[:, : len(slots)]
    return fixed_width_strings(out)


def render_templates(templates: tuple[str, ...], digits: np.ndarray, styles: np.ndarray) -> pa.Array:
    parts = []
    for style, template in enumerate(templates):
        rows = np.flatnonzero(styles == style)
        parts.append((rows, from_template(template, digits[rows])))
    return combine(parts, len(digits))


CN_PHONE_TEMPLATES = (
    "ddddddddddd",
    "+86 ddd-dddd-dddd",
    "86-ddddddddddd",
    "+86ddddddddddd",
    "ddd dddd dddd",
    "dddddddddd",  # too short: the last digit was lost
    " ddddddddddd ",
)
CN_PHONE_STYLE_P = (0.80, 0.05, 0.04, 0.03, 0.03, 0.02, 0.03)
US_PHONE_TEMPLATES = ("ddd-ddd-dddd", "(ddd) ddd-dddd", "+1 ddd ddd dddd", "dddddddddd", "ddddddddd")
US_PHONE_STYLE_P = (0.6, 0.2, 0.1, 0.07, 0.03)

# CN resident id (GB 11643): 17 digits then a MOD 11-2 check character.
ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
ID_CHECK_CHARS = np.frombuffer(b"10X98765432", dtype=np.uint8)
_CHECK_INDEX = np.zeros(256, dtype=np.int64)
_CHECK_INDEX[ID_CHECK_CHARS] = np.arange(11)
CN_ID_STYLE_P = (0.90, 0.04, 0.03, 0.03)  # canonical, lower-case x, grouped with spaces, trailing space


def cn_id_check_char(first17: np.ndarray) -> np.ndarray:
    """Check character (ASCII code) of (n, 17) ASCII digit rows."""
    return ID_CHECK_CHARS[((first17.astype(np.int64) - 48) @ ID_WEIGHTS) % 11]


def cn_resident_ids(region: np.ndarray, birth_yyyymmdd: np.ndarray, seq: np.ndarray, bad_check: np.ndarray,
                    styles: np.ndarray) -> pa.Array:  # fmt: skip
    first17 = np.hstack([digit_matrix(region, 6), digit_matrix(birth_yyyymmdd, 8), digit_matrix(seq, 3)])
    check = cn_id_check_char(first17)
    # A bad check digit is the next character of the check alphabet: always wrong, sometimes an 'X'.
    wrong = ID_CHECK_CHARS[(_CHECK_INDEX[check] + 1) % 11]
    check = np.where(bad_check, wrong, check)
    lower_x = (styles == 1) & (check == ord("X"))
    check = np.where(lower_x, ord("x"), check).astype(np.uint8)
    full = np.hstack([first17, check[:, None]])
    parts = [(np.flatnonzero(styles <= 1), fixed_width_strings(full[styles <= 1]))]
    grouped = np.flatnonzero(styles == 2)
    g = full[grouped]
    space = np.full((len(g), 1), ord(" "), dtype=np.uint8)
    parts.append((grouped, fixed_width_strings(np.hstack([g[:, :6], space, g[:, 6:14], space, g[:, 14:]]))))
    trailing = np.flatnonzero(styles == 3)
    t = full[trailing]
    parts.append((trailing, fixed_width_strings(np.hstack([t, np.full((len(t), 1), ord(" "), np.uint8)]))))
    return combine(parts, len(region))
