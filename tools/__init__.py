"""Developer tools that are not part of the installed `auditor` package (not in the wheel)."""
