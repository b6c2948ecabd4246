"""Can OCR still read a line of text? The readability check behind the text tests and benchmark.

For each labelled line (a quad and its identifying tokens) ``LineReader.readings`` returns what rapidocr
reads there: the whole-image OCR results over the line, and recognition of the line's rectified strip,
raw and contrast-stretched. ``reveals`` decides whether a reading gives away the line: one of its tokens
(exact for 2-3 character tokens, as a word, a run of letters or digits, or two or three words run together;
fuzzy at similarity >= 0.6 for longer ones) or all its tokens run together (fuzzy). Readings are compared
after folding case, diacritics, letters without a decomposition (ł, ø, ß ...) and Cyrillic look-alikes.
Uses the models inside the rapidocr wheel, never a download.
"""

from __future__ import annotations

import difflib
import re
import unicodedata

import cv2
import numpy as np

from photolab.detect import text as text_mod

# Letters NFKD does not decompose, and Cyrillic letters that look Latin.
FOLD = str.maketrans({
    "ł": "l", "ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "đ": "d", "ð": "d", "þ": "th", "ı": "i", "ħ": "h",
    "ŀ": "l", "ŋ": "n", "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s",
})


def norm(s: str) -> str:
    """Letters and digits only, case and diacritics folded, look-alike letters mapped to Latin."""
    return "".join(_words(s))


def _words(s: str) -> list[str]:
    s = unicodedata.normalize("NFKD", s.casefold())
    s = "".join(c for c in s if not unicodedata.combining(c)).translate(FOLD)
    return [w for w in re.split(r"[\W_]+", s) if w]


def reveals(tokens: list[str], reading: str) -> bool:
    """Does an OCR reading give the line away: one of its identifying tokens (fuzzy for long tokens), or
    all of them run together?"""
    hay = norm(reading)
    if not hay:
        return False
    words = _words(reading)
    pieces = set(words) | set(re.findall(r"\d+|[^\W\d_]+", hay))
    pieces |= {"".join(words[i:i + n]) for n in (2, 3) for i in range(len(words) - n + 1)}
    keys = [norm(t) for t in tokens]
    joined = "".join(keys)
    if len(joined) >= 4 and _best_ratio(joined, hay) >= 0.6:
        return True
    for token in keys:
        if len(token) < 2:
            continue
        if len(token) <= 3:
            if token in pieces:
                return True
        elif _best_ratio(token, hay) >= 0.6:
            return True
    return False


def _best_ratio(needle: str, hay: str) -> float:
    n = len(needle)
    windows = [hay[i : i + n] for i in range(max(1, len(hay) - n + 1))]
    return max(difflib.SequenceMatcher(None, needle, w, autojunk=False).ratio() for w in windows)


class LineReader:
    """Recognition of each line's strip (raw and contrast-stretched) plus whole-image OCR."""

    def __init__(self) -> None:
        from rapidocr import RapidOCR

        eng = {
            "EngineConfig.onnxruntime.intra_op_num_threads": 1,
            "Global.log_level": "error",
            "Det.model_path": str(text_mod.model_dir() / text_mod.DET_MODEL),
            "Rec.model_path": str(text_mod.model_dir() / text_mod.REC_MODEL),
        }
        self.whole = RapidOCR(params={**eng, "Global.text_score": 0.3, "Global.use_cls": False})
        self.rec = RapidOCR(params={**eng, "Global.use_det": False, "Global.use_cls": False})

    def readings(self, bgr: np.ndarray, lines: list[dict]) -> list[list[str]]:
        found = self.whole(bgr)
        whole = (
            list(
                zip(
                    getattr(found, "boxes", None) if found.boxes is not None else [],
                    found.txts or (),
                    strict=False,
                )
            )
            if hasattr(found, "txts")
            else []
        )
        out = []
        for line in lines:
            quad = np.asarray(line["quad"], np.float32)
            texts = [t for q, t in whole if _overlap(quad, np.asarray(q, np.float32)) >= 0.5]
            strip = _strip(bgr, quad)
            for img in (strip, _stretch(strip)):
                res = self.rec(img)
                texts += [t for t, s in zip(res.txts or (), res.scores or (), strict=False) if s >= 0.3]
            out.append(texts)
        return out


def _strip(bgr: np.ndarray, quad: np.ndarray) -> np.ndarray:
    h = (np.linalg.norm(quad[3] - quad[0]) + np.linalg.norm(quad[2] - quad[1])) / 2
    w = (np.linalg.norm(quad[1] - quad[0]) + np.linalg.norm(quad[2] - quad[3])) / 2
    ex = (quad[1] - quad[0]) / max(w, 1)
    ey = (quad[3] - quad[0]) / max(h, 1)
    m = 0.15 * h + 1
    grown = quad + np.array([-ex - ey, ex - ey, ex + ey, -ex + ey]) * m
    k = max(1.0, 40.0 / h)
    size = (int((w + 2 * m) * k), int((h + 2 * m) * k))
    target = np.float32([[0, 0], [size[0], 0], [size[0], size[1]], [0, size[1]]])
    matrix = cv2.getPerspectiveTransform(grown.astype(np.float32), target)
    return cv2.warpPerspective(bgr, matrix, size, flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)


def _stretch(strip: np.ndarray) -> np.ndarray:
    g = cv2.cvtColor(strip, cv2.COLOR_BGR2GRAY).astype(np.float32)
    lo, hi = np.percentile(g, 1), np.percentile(g, 99)
    g = np.clip((g - lo) * 255.0 / max(hi - lo, 1.0), 0, 255).astype(np.uint8)
    return cv2.cvtColor(g, cv2.COLOR_GRAY2BGR)


def _overlap(a: np.ndarray, b: np.ndarray) -> float:
    inter, _ = cv2.intersectConvexConvex(cv2.convexHull(a), cv2.convexHull(b))
    smaller = min(cv2.contourArea(a), cv2.contourArea(b))
    return inter / smaller if smaller > 0 else 0.0
