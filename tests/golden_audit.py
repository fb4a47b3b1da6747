"""Golden audits: the findings and negative proposals of the bundled samples, kept as data.

`tests/test_golden.py` compares a fresh audit of every scenario below with
`tests/data/golden_audits.json`, so a speed change that alters a finding or a proposal fails.
When a change is meant to alter them (a new rule, a better proposal), regenerate the file and
review its diff like code:

    PYTHONPATH=$PWD python tests/golden_audit.py --write

Scenarios whose files are missing (the real downloads in `../shared/real-reports/`) are left
out of the file when written and skipped when compared.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

from auditor.audit import audit
from auditor.config import Settings
from auditor.output.jsonform import finding_to_dict, held_back_to_dict, proposal_to_dict

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_reports"
TRACKING = SAMPLES / "tracking" / "faulty"
REAL = ROOT.parent / "shared" / "real-reports"
GOLDEN = Path(__file__).resolve().parent / "data" / "golden_audits.json"
EXISTING = Path(__file__).resolve().parent / "data" / "golden-existing-negatives.txt"

SCENARIOS: dict[str, tuple[list[Path], dict[str, Any]]] = {
    "google-en+keywords": (
        [SAMPLES / "google-ads-search-terms-en.csv"],
        {"keywords": (SAMPLES / "google-ads-keywords-en.csv",), "brand": ("fjallgear",)},
    ),
    "google-en+existing": (
        [SAMPLES / "google-ads-search-terms-en.csv"],
        {"keywords": (SAMPLES / "google-ads-keywords-en.csv",), "existing_negatives": (EXISTING,)},
    ),
    "google-sv": ([SAMPLES / "google-ads-search-terms-sv.csv"], {"margin": 0.4}),
    "google-api": ([SAMPLES / "google-ads-api-search-terms.csv"], {"target_cpa": 150.0}),
    "microsoft": ([SAMPLES / "microsoft-ads-search-terms.csv"], {"platform": "microsoft"}),
    "tracking-faulty": (
        [TRACKING / "search-terms-by-day.csv"],
        {
            "conversions": (TRACKING / "conversions.csv",),
            "by_action": (TRACKING / "by-action.csv",),
            "orders": (TRACKING / "orders.csv",),
        },
    ),
    "real-inr": ([REAL / "google-ads-search-agency-inr.csv"], {}),
    "real-pmax": ([REAL / "google-ads-pmax-phone-cases-usd.csv"], {}),
}


def _rounded(value: Any) -> Any:
    """Floats to 9 significant digits (sums may differ in the last bit between code paths)."""
    if isinstance(value, float):
        return value if not math.isfinite(value) or value == 0 else float(f"{value:.9g}")
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    return value


def available(name: str) -> bool:
    paths, options = SCENARIOS[name]
    files = [*paths, *(p for v in options.values() if isinstance(v, tuple) for p in v)]
    return all(Path(p).exists() for p in files if isinstance(p, Path))


def digest(name: str) -> dict[str, Any]:
    """The findings, proposals and held-back items of one scenario, as plain JSON data."""
    paths, options = SCENARIOS[name]
    result = audit(paths, Settings(**options))
    return _rounded(
        {
            "findings": [finding_to_dict(f) for f in result.findings],
            "negatives": [proposal_to_dict(p) for p in result.negatives],
            "held_back": [held_back_to_dict(h) for h in result.held_back],
            "negatives_covered_cost": result.negatives_covered_cost,
        }
    )


def load() -> dict[str, Any]:
    return json.loads(GOLDEN.read_text(encoding="utf-8"))


def _compact(data: dict[str, Any]) -> str:
    """JSON with one finding, proposal or held-back item per line (short, readable diffs)."""

    def one(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    def block(value: Any, indent: str) -> str:
        if isinstance(value, list) and value:
            return "[\n" + ",\n".join(indent + " " + one(v) for v in value) + "\n" + indent + "]"
        return one(value)

    parts = []
    for name in sorted(data):
        keys = sorted(data[name])
        inner = ",\n".join(f'  "{k}": {block(data[name][k], "  ")}' for k in keys)
        parts.append(f"{one(name)}: {{\n{inner}\n }}")
    return "{\n " + ",\n ".join(parts) + "\n}\n"


def write() -> None:
    data = {name: digest(name) for name in SCENARIOS if available(name)}
    GOLDEN.write_text(_compact(data), encoding="utf-8")
    print(f"wrote {GOLDEN} ({', '.join(data)})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"rewrite {GOLDEN.name}")
    args = parser.parse_args(argv)
    if not args.write:
        parser.print_help()
        return 2
    write()
    return 0


if __name__ == "__main__":
    sys.exit(main())
