"""Combining the rules and the text classifier, calibration, reliability and the abstain threshold.

The combination is a small multinomial logistic model over two inputs per category: the rules' raw
score (the sum of the signals' points) and the text classifier's log-probability:

    logit_c = w_rules * raw_c + w_textcat * log p_textcat(c) + bias_c,   p = softmax(logit)

fitted on held-out (out-of-fold) predictions of the training fixtures, so that its output is
already calibrated (fitting a temperature is the special case of one weight). The "rules" and
"textcat" modes fix the other weight at 0; training fits all three and keeps the one with the
lowest held-out log-loss ("decide by measurement which wins").
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from models.record import CATEGORIES
from petitions import metrics

MODES: tuple[str, ...] = ("hybrid", "rules", "textcat")
_EPS = 1e-6


@dataclass(frozen=True)
class Combiner:
    mode: str = "rules"
    w_rules: float = 0.5
    w_textcat: float = 0.0
    bias: tuple[float, ...] = (0.0, 0.0, 0.0, 0.0)  # CATEGORIES order

    def logits(self, raw: np.ndarray, p_textcat: np.ndarray | None) -> np.ndarray:
        raw = np.atleast_2d(raw)
        z = self.w_rules * raw + np.asarray(self.bias)
        if self.w_textcat and p_textcat is not None:
            z = z + self.w_textcat * np.log(np.clip(np.atleast_2d(p_textcat), _EPS, 1.0))
        return z

    def probs(self, raw: np.ndarray, p_textcat: np.ndarray | None) -> np.ndarray:
        return softmax_rows(self.logits(raw, p_textcat))

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "bias": list(self.bias)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Combiner:
        return cls(data["mode"], float(data["w_rules"]), float(data["w_textcat"]), tuple(data["bias"]))


def softmax_rows(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def log_loss(probs: np.ndarray, y: np.ndarray) -> float:
    return float(-np.mean(np.log(np.clip(probs[np.arange(len(y)), y], _EPS, 1.0))))


def fit_combiner(
    raw: np.ndarray, p_textcat: np.ndarray, y: np.ndarray, mode: str, l2: float = 0.01, steps: int = 3000
) -> Combiner:
    """Fit the weights (and per-category biases) by minimising log-loss + L2, with Adam."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}")
    log_t = np.log(np.clip(p_textcat, _EPS, 1.0))
    onehot = np.eye(len(CATEGORIES))[y]
    theta = np.array([0.5 if mode != "textcat" else 0.0, 1.0 if mode != "rules" else 0.0, 0, 0, 0, 0], float)
    mask = np.array([mode != "textcat", mode != "rules", 1, 1, 1, 1], float)
    m, v = np.zeros_like(theta), np.zeros_like(theta)
    lr, b1, b2 = 0.05, 0.9, 0.999
    n = len(y)
    for t in range(1, steps + 1):
        z = theta[0] * raw + theta[1] * log_t + theta[2:]
        err = (softmax_rows(z) - onehot) / n  # d loss / d z
        grad = np.array(
            [float((err * raw).sum()), float((err * log_t).sum()), *err.sum(axis=0)]
        ) + l2 * theta * np.array([0, 0, 1, 1, 1, 1])
        grad *= mask
        m = b1 * m + (1 - b1) * grad
        v = b2 * v + (1 - b2) * grad**2
        theta -= lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + 1e-8)
    bias = theta[2:] - theta[2:].mean()
    return Combiner(mode, round(float(theta[0]), 5), round(float(theta[1]), 5), tuple(round(float(b), 5) for b in bias))


# ---- measuring ---------------------------------------------------------------------------------


def macro_f1(y: Sequence[int], pred: Sequence[int]) -> float:
    """Macro-F1 over the category indices, rounded for the model's metadata."""
    return round(metrics.macro_f1(y, pred, range(len(CATEGORIES))), 4)


@dataclass
class ReliabilityBin:
    low: float
    high: float
    n: int = 0
    mean_confidence: float = 0.0
    accuracy: float = 0.0


def reliability(conf: np.ndarray, correct: np.ndarray, edges: Sequence[float] = (0, 0.5, 0.7, 0.8, 0.9, 0.95, 1.0)) -> list[ReliabilityBin]:
    bins = []
    for i, (lo, hi) in enumerate(zip(edges[:-1], edges[1:], strict=True)):
        last = i == len(edges) - 2
        sel = (conf >= lo) & ((conf <= hi) if last else (conf < hi))
        b = ReliabilityBin(lo, hi, int(sel.sum()))
        if b.n:
            b.mean_confidence = round(float(conf[sel].mean()), 4)
            b.accuracy = round(float(correct[sel].mean()), 4)
        bins.append(b)
    return bins


def expected_calibration_error(bins: Sequence[ReliabilityBin]) -> float:
    total = sum(b.n for b in bins)
    return round(sum(b.n * abs(b.mean_confidence - b.accuracy) for b in bins) / total, 4) if total else 0.0


def format_reliability(bins: Sequence[ReliabilityBin]) -> str:
    lines = ["confidence bin    n   mean conf   accuracy"]
    for b in bins:
        lines.append(f"[{b.low:.2f}, {b.high:.2f}]  {b.n:4d}   {b.mean_confidence:8.3f}   {b.accuracy:8.3f}")
    lines.append(f"ECE {expected_calibration_error(bins):.4f}")
    return "\n".join(lines)


def wilson_lower(hits: int, n: int, z: float = 1.2816) -> float:
    """Lower bound of the Wilson interval (z=1.28: one-sided 90%)."""
    if n == 0:
        return 0.0
    p = hits / n
    centre = p + z * z / (2 * n)
    margin = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - margin) / (1 + z * z / n)


@dataclass
class ThresholdChoice:
    threshold: float
    target: float
    covered: int  # held-out letters at or above the threshold
    accuracy: float  # their accuracy
    lower_bound: float  # its one-sided 90% Wilson lower bound
    n: int
    curve: list[dict[str, float]] = field(default_factory=list)


def choose_threshold(conf: np.ndarray, correct: np.ndarray, target: float = 0.97, floor: float = 0.5) -> ThresholdChoice:
    """The lowest confidence threshold at which the letters above it are right at least ``target``
    of the time, judged by the Wilson lower bound (not the raw rate: held-out sets are small, and
    the threshold must hold on mail never seen). Never below ``floor``."""
    order = np.argsort(-conf)
    c_sorted, ok_sorted = conf[order], correct[order].astype(int)
    best: ThresholdChoice | None = None
    curve = []
    hits = 0
    for k in range(len(order)):
        hits += ok_sorted[k]
        n = k + 1
        if k + 1 < len(order) and c_sorted[k + 1] == c_sorted[k]:
            continue  # a threshold cannot split tied confidences
        t = float(c_sorted[k])
        lb = wilson_lower(hits, n)
        curve.append({"threshold": round(t, 4), "covered": n, "accuracy": round(hits / n, 4), "lower_bound": round(lb, 4)})
        if lb >= target and t >= floor:
            best = ThresholdChoice(round(t, 4), target, n, round(hits / n, 4), round(lb, 4), len(order))
    if best is None:  # never reached: keep everything but the most confident out of auto-routing
        top = float(c_sorted[0]) if len(c_sorted) else 1.0
        best = ThresholdChoice(round(min(1.0, top + 1e-4), 4), target, 0, 0.0, 0.0, len(order))
    best.curve = curve[:: max(1, len(curve) // 25)]
    return best
