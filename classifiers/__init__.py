"""Rule-based classification of petition letters (the first, inspectable stage).

Public API:
    classify(text, extraction, settings) -> Classification
    title_category(text) -> str | None
    evaluate(letters) -> dict
    load_rules(path) -> Rules
"""

from classifiers.category import classify
from classifiers.evaluate import evaluate
from classifiers.rules import Rules, load_rules, parse_rules
from classifiers.title import title_category

__all__ = ["Rules", "classify", "evaluate", "load_rules", "parse_rules", "title_category"]
