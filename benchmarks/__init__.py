"""Performance benchmarks: `python -m benchmarks` (see benchmarks/NOTES.md)."""
