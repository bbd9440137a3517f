"""Small SVG charts rendered on the server (no JavaScript library, no inline styles: CSP-safe)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

_W, _H, _PAD_L, _PAD_B, _PAD_T, _PAD_R = 640, 220, 44, 36, 14, 12


def _frame(title: str, body: list[str]) -> Markup:
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_W} {_H}" class="chart" role="img" '
            f'aria-label="{escape(title)}"><title>{escape(title)}</title>')
    return Markup(head + "".join(body) + "</svg>")


def _axes(y_labels: Sequence[tuple[float, str]]) -> list[str]:
    out = []
    for frac, text in y_labels:
        y = _H - _PAD_B - frac * (_H - _PAD_B - _PAD_T)
        out.append(f'<line x1="{_PAD_L}" y1="{y:.1f}" x2="{_W - _PAD_R}" y2="{y:.1f}" stroke="#d7dce2" />')
        out.append(f'<text x="{_PAD_L - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="#555">'
                   f'{escape(text)}</text>')
    return out


def _x_labels(labels: Sequence[str], xs: Sequence[float]) -> list[str]:
    step = max(1, len(labels) // 8)
    return [
        f'<text x="{x:.1f}" y="{_H - _PAD_B + 16}" text-anchor="middle" font-size="11" fill="#555">{escape(t)}</text>'
        for i, (t, x) in enumerate(zip(labels, xs, strict=True)) if i % step == 0 or i == len(labels) - 1
    ]


def bar_chart(points: Sequence[tuple[str, int]], title: str) -> Markup:
    """Counts per label (e.g. letters in per day)."""
    if not points:
        return _frame(title, [f'<text x="{_W / 2}" y="{_H / 2}" text-anchor="middle" fill="#555">Chưa có dữ liệu</text>'])
    top = max(max(v for _, v in points), 1)
    inner_w = _W - _PAD_L - _PAD_R
    slot = inner_w / len(points)
    body = _axes([(0, "0"), (0.5, f"{top / 2:g}"), (1, str(top))])
    xs = []
    for i, (day, value) in enumerate(points):
        h = value / top * (_H - _PAD_B - _PAD_T)
        x = _PAD_L + i * slot
        xs.append(x + slot / 2)
        body.append(f'<rect x="{x + slot * 0.15:.1f}" y="{_H - _PAD_B - h:.1f}" width="{slot * 0.7:.1f}" '
                    f'height="{h:.1f}" fill="#2f6f9f"><title>{escape(day)}: {value}</title></rect>')
    body += _x_labels([d for d, _ in points], xs)
    return _frame(title, body)


def line_chart(points: Sequence[tuple[str, float, int]], title: str) -> Markup:
    """A rate 0..1 per label, with the number of cases behind each point (e.g. weekly agreement)."""
    if not points:
        return _frame(title, [f'<text x="{_W / 2}" y="{_H / 2}" text-anchor="middle" fill="#555">'
                              'Chưa có lượt kiểm tra nào</text>'])
    inner_w, inner_h = _W - _PAD_L - _PAD_R, _H - _PAD_B - _PAD_T
    step = inner_w / max(len(points) - 1, 1)
    xs = [_PAD_L + (i * step if len(points) > 1 else inner_w / 2) for i in range(len(points))]
    ys = [_H - _PAD_B - rate * inner_h for _, rate, _ in points]
    body = _axes([(0, "0%"), (0.5, "50%"), (1, "100%")])
    coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True))
    body.append(f'<polyline points="{coords}" fill="none" stroke="#2f6f9f" stroke-width="2.5" />')
    for (lbl, rate, n), x, y in zip(points, xs, ys, strict=True):
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="#2f6f9f"><title>{escape(lbl)}: {rate:.0%} '
                    f'({n} đơn)</title></circle>')
    body += _x_labels([p[0] for p in points], xs)
    return _frame(title, body)
