"""Account settings from TOML, with command-line overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.cli import main
from auditor.config import load_config
from auditor.errors import EXIT_BAD_CONFIG, ConfigError


def test_config_file_values_and_relative_paths(tmp_path: Path) -> None:
    cfg = tmp_path / "acct.toml"
    cfg.write_text(
        """
[account]
target_cpa = 40
margin = 0.35
brand = ["fjallgear", "fjall gear"]

[rules]
packs = ["extra.toml"]
[rules.WASTE001]
enabled = false
severity = "low"
params = { min_clicks = 30 }

[negatives]
platform = "microsoft"
irrelevant = ["wholesale"]
""",
        encoding="utf-8",
    )
    s = load_config(cfg)
    assert s.target_cpa == 40.0
    assert s.margin == 0.35
    assert s.brand == ("fjallgear", "fjall gear")
    assert s.rule_packs == (tmp_path / "extra.toml",)
    assert s.rule_overrides["WASTE001"].enabled is False
    assert s.rule_overrides["WASTE001"].params == {"min_clicks": 30.0}
    assert s.platform == "microsoft"
    assert s.irrelevant == ("wholesale",)


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ("[acount]\ntarget_cpa = 3\n", "unknown section"),
        ("[account]\ntarget_cpaa = 3\n", "unknown key"),
        ("[account]\nmargin = 1.5\n", "margin"),
        ("[account]\ntarget_cpa = 'forty'\n", "must be a number"),
        ("[account\n", "not valid TOML"),
        ('[account]\nbrand = ["acme", " "]\n', "empty string"),
    ],
)
def test_bad_config_is_one_clear_error(tmp_path: Path, body: str, needle: str) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(cfg)
    assert needle in str(info.value)
    assert str(cfg) in str(info.value)


def test_bad_config_exits_3_without_traceback(tmp_path: Path, capsys) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text("[account]\nmargin = 0\n", encoding="utf-8")
    report = tmp_path / "r.csv"
    report.write_text("x", encoding="utf-8")
    code = main(["audit", str(report), "--config", str(cfg)])
    err = capsys.readouterr().err
    assert code == EXIT_BAD_CONFIG
    assert "Traceback" not in err
    assert err.count("\n") == 1
