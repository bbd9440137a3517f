"""A one-line summary: what the letter is about and what it asks for.

Built from the letter's main statement ("tôi làm đơn này khiếu nại/tố cáo …", "V/v: …") and, when there
is room, its request ("đề nghị …"); lead-ins ("Nay tôi làm đơn này", "Vì vậy, kính") are removed. The
title and the first sentence (usually "Tôi tên là …") are never used as they are.

Public function: :func:`extract_subject`.
"""

from __future__ import annotations

import re

from petitions.text import collapse_spaces, fold, nfc

MAX_LEN = 160
_VERBS = r"(?:khieu\s+nai|to\s+cao|phan\s+anh|kien\s+nghi|de\s+nghi|yeu\s+cau|trinh\s+bay|keu\s+cuu)"
# The statement of what the letter is (strongest first); the span starts at the verb.
_STATEMENT = [
    re.compile(r"\b(?:lam|viet)\s+(?:don|thu)(?:\s+nay)?\s+(?:(?:de|xin|kinh)\s+)*(?=" + _VERBS + r")"),
    re.compile(r"\b(?:toi|chung\s+toi|em|gia\s+dinh\s+toi)\s+(?:(?:xin|kinh|tiep\s+tuc|lam\s+don)\s+)*"
               r"(?=(?:khieu\s+nai|to\s+cao|phan\s+anh|kien\s+nghi)\b)"),
]
_TOPIC = re.compile(r"^\s*(?:v/v|ve\s+viec|noi\s+dung)\s*[:.]?\s*")
_REQUEST = re.compile(r"\b(?:kinh\s+)?(?:de\s+nghi|mong|yeu\s+cau|xin)\b")
_SKIP = re.compile(
    r"^\s*(?:kinh\s+gui|cong\s+hoa|doc\s+lap|don\b|toi\s+ten|ho\s+(?:va\s+)?ten|dia\s+chi|cccd|so\s+dien"
    r"|toi\s+xin\s+cam\s+doan|toi\s+cam\s+doan|chung\s+toi\s+cam\s+doan|tai\s+lieu|noi\s+nhan"
    r"|nguoi\s+(?:lam|viet|gui|de\s+nghi|kien\s+nghi|khieu\s+nai|to\s+cao|phan\s+anh)|nhung\s+nguoi|cac\s+ho"
    r"|dai\s+dien|[^,\n]{0,30},?\s*ngay\s+\d)"
)


def _sentences(text: str) -> list[str]:
    """Paragraph-aware sentences: wrapped lines are joined; bullets stay with their lead sentence."""
    paras = re.split(r"\n\s*\n", nfc(text))
    out: list[str] = []
    for p in paras:
        lines = [ln.strip() for ln in p.splitlines() if ln.strip()]
        buf = ""
        for ln in lines:
            if re.match(r"^(?:[-•+*]|\d{1,2}[.)/])\s", ln) and buf.rstrip().endswith(":"):
                buf += " " + ln  # a request list after "kính đề nghị …:"
            elif buf and not re.search(r"[.:;!?]$", buf):
                buf += " " + ln
            else:
                if buf:
                    out.append(buf)
                buf = ln
        if buf:
            out.append(buf)
    result: list[str] = []
    for s in out:
        result.extend(x for x in re.split(r"(?<=[^\d\s][.!?])\s+(?=[A-ZĐÀ-Ỹ])", s) if x)
    return [collapse_spaces(s) for s in result]


def _from(sentence: str, start: int) -> str:
    s = sentence[start:].strip(" ,:;-")
    s = re.sub(r"\s*[-•+*]\s+", "; ", s)
    s = re.sub(r"\s*;\s*;\s*", "; ", s).replace(":;", ":")
    return s


def _trim(s: str) -> str:
    s = s.strip(" ,;:.-")
    if len(s) > MAX_LEN:
        cut = s[:MAX_LEN]
        s = cut[: cut.rfind(" ")] if " " in cut else cut
        s = s.rstrip(" ,;:-") + "…"
    return s[:1].upper() + s[1:]


def _same_len(s: str) -> tuple[str, str]:
    f = fold(s)
    return (s if len(s) == len(f) else f), f


def extract_subject(text: str) -> str | None:
    """One informative line (≤ ~160 characters) on what the letter is about and asks for."""
    return extract_subject_how(text)[0]


def extract_subject_how(text: str) -> tuple[str | None, str]:
    """:func:`extract_subject` and what it was built from: "statement+request", "statement" (the "tôi làm
    đơn này …" sentence), "topic" (a "V/v: …" line), "request" ("đề nghị …" alone) or "first_sentence"."""
    sents = _sentences(text)
    body = [s for s in sents[1:] if not _SKIP.match(fold(s))] if len(sents) > 1 else sents
    statement = None
    kind = "statement"
    for pat in _STATEMENT:
        for s in body:
            raw, f = _same_len(s)
            m = pat.search(f)
            if m and len(f) - m.end() >= 30:
                statement = _from(raw, m.end())
                break
        if statement:
            break
    if statement is None:
        for s in sents:
            raw, f = _same_len(s)
            m = _TOPIC.match(f)
            if m and len(f) - m.end() > 10:
                statement = _from(raw, m.end())
                kind = "topic"
                break
    request = None
    for s in reversed(body):
        raw, f = _same_len(s)
        m = _REQUEST.search(f)
        if m and not re.search(r"\bcam\s+doan\b|\bxin\s+chan\s+thanh\b|\btran\s+trong\b", f):
            request = _from(raw, m.start())
            break
    if statement and request and len(statement) < 90 and fold(request[:40]) not in fold(statement):
        return _trim(f"{statement.rstrip('.')}; {request[:1].lower()}{request[1:]}"), f"{kind}+request"
    if statement:
        return _trim(statement), kind
    if request:
        return _trim(request), "request"
    return (_trim(body[0]), "first_sentence") if body else (None, "")
