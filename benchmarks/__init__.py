"""Benchmarks of the reading stage (issue 3). Not tests: run ``python -m benchmarks.ocr_bench``."""
