"""A golden digest of the findings on the bundled samples: rule id, subject and severity.

Every audit of a bundled sample is reduced to sorted lines `RULE | level | campaign > ad group |
subject | severity`; `tests/data/golden_findings.json` holds the lines as last approved, and
`tests/test_golden_findings.py` lists every line that appeared or went away. After an intended
change, look at the listed differences, then rewrite the file and commit it with the change:

    python tests/golden_findings.py --write
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_reports"
GOLDEN = Path(__file__).resolve().parent / "data" / "golden_findings.json"


def _runs() -> dict[str, tuple[list[Path], dict]]:
    """Each sample audit: its files and settings (brand and keywords as the truth gives)."""
    truth = json.loads((SAMPLES / "truth.json").read_text(encoding="utf-8"))
    runs: dict[str, tuple[list[Path], dict]] = {}
    for name, info in truth["files"].items():
        if info["kind"] != "search_terms":
            continue
        account = truth["accounts"][info["account"]]
        keywords = [
            SAMPLES / n
            for n, i in truth["files"].items()
            if i["kind"] == "keywords" and i["account"] == info["account"]
        ]
        runs[name] = ([SAMPLES / name], {"brand": tuple(account["brand"]), "keywords": keywords})
    for kind in ("faulty", "clean"):
        runs[f"tracking/{kind}"] = ([SAMPLES / "tracking" / kind], {})
    runs["splits"] = ([SAMPLES / "splits" / "google-ads-search-terms-states.csv"], {})
    return runs


def digest() -> dict[str, list[str]]:
    """Sample name -> sorted finding lines."""
    from auditor.audit import audit
    from auditor.config import Settings

    out: dict[str, list[str]] = {}
    for name, (paths, opts) in _runs().items():
        settings = Settings(brand=opts.get("brand", ()), keywords=tuple(opts.get("keywords", ())))
        result = audit(paths, settings)
        lines = []
        for f in result.findings:
            subject = f.search_term or f.keyword or f.ngram or f.ad_group or f.campaign or "account"
            where = f"{f.campaign or '-'} > {f.ad_group or '-'}"
            lines.append(f"{f.rule} | {f.level} | {where} | {subject} | {f.severity}")
        out[name] = sorted(lines)
    return out


def main(argv: list[str]) -> int:
    if argv != ["--write"]:
        print(__doc__)
        return 2
    GOLDEN.write_text(json.dumps(digest(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main(sys.argv[1:]))
