"""Ratio benchmarks of the course against baselines measured in the same run (``python -m benchmarks``).

Each measure compares the course with a minimal baseline served or run the same way, so the
ratios stay meaningful on any machine. See ``__main__`` for the command-line options and
``README.md`` (section "Benchmarks") for the latest table.
"""
