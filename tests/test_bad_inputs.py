"""The table of bad inputs (`tests/data/bad_inputs.toml`), each run through `cli.main`: the
expected exit code and message or skipped line, never exit 1, never a traceback, never an input
or a device replaced."""

from __future__ import annotations

import codecs
import json
import os
import shutil
import stat
import tomllib
from pathlib import Path
from typing import Any

import pytest

from auditor.cli import main, sample_dir
from auditor.errors import EXIT_INTERNAL

TABLE = tomllib.loads((Path(__file__).parent / "data" / "bad_inputs.toml").read_text("utf-8"))
CASES: list[dict[str, Any]] = TABLE["case"]
LONG = "x" * 300


def _recipe(name: str) -> bytes:
    """Generated files too large or too deep to keep as data."""
    recipes = {
        "deep_json": lambda: b"[" * 200_000 + b"]" * 200_000,
        "big_int_json": lambda: b'[{"metrics.clicks": ' + b"9" * 5000 + b"}]",
        "deep_toml": lambda: b"a = " + b"[" * 5000 + b"]" * 5000 + b"\n",
        "big_int_toml": lambda: b"[account]\ntarget_cpa = " + b"9" * 5000 + b"\n",
        "huge_toml": lambda: b"[account]\n" + b"# padding\n" * 500_000,
    }
    return recipes[name]()


def _text(value: str, templates: dict[str, str], escapes: bool) -> bytes:
    for key, text in templates.items():
        value = value.replace("{{" + key + "}}", text)
    data = value.encode("utf-8")
    return codecs.escape_decode(data)[0] if escapes else data


def _build(case: dict[str, Any], root: Path) -> None:
    def put(name: str, data: bytes) -> None:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    for name in case.get("dirs", []):
        (root / name).mkdir(parents=True, exist_ok=True)
    for name, sample in case.get("samples", {}).items():
        put(name, (sample_dir() / sample).read_bytes())
    for name, text in case.get("files", {}).items():
        put(name, _text(text, TABLE["templates"], case.get("escapes", False)))
    for name, text in case.get("append", {}).items():
        with (root / name).open("ab") as fh:
            fh.write(_text(text, TABLE["templates"], False))
    for name, recipe in case.get("generate", {}).items():
        put(name, _recipe(recipe))
    for name, target in case.get("links", {}).items():
        (root / name).symlink_to(target)
    for name, target in case.get("hardlinks", {}).items():
        os.link(root / target, root / name)
    for name in case.get("fifos", []):
        os.mkfifo(root / name)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_bad_input(
    case: dict[str, Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    _build(case, tmp_path)
    before = {name: (tmp_path / name).read_bytes() for name in case.get("unchanged", [])}
    args = [a.replace("{LONG}", LONG) for a in case["args"]]
    code = main(args)
    out, err = capsys.readouterr()
    said = out + err
    assert code != EXIT_INTERNAL and "Traceback" not in said, said
    assert code == case["exit"], said
    for fragment in case.get("message", []):
        assert fragment in said
    for fragment in case.get("lacks", []):
        assert fragment not in said
    for name, data in before.items():
        assert (tmp_path / name).read_bytes() == data, f"{name} was changed"
    for name in case.get("exists", []):
        assert (tmp_path / name).is_file(), name
    if "device" in case:
        assert stat.S_ISCHR(os.stat(case["device"]).st_mode), "the device was replaced"
    _check_json(case, tmp_path)
    shutil.rmtree(tmp_path, ignore_errors=True)


def _check_json(case: dict[str, Any], root: Path) -> None:
    """The audit JSON (`--json a.json`) lists the skipped lines and notes the case expects."""
    wanted = [*case.get("skipped", []), *case.get("notes", []), *case.get("json", [])]
    if not wanted:
        return
    text = (root / "a.json").read_text("utf-8")
    data = json.loads(text)
    skipped = [f"line {s['line']}: {s['reason']}" for i in data["inputs"] for s in i["skipped"]]
    notes = [*data["notes"], *(n for i in data["inputs"] for n in i["notes"])]
    for fragment in case.get("skipped", []):
        assert any(fragment in s for s in skipped), (fragment, skipped)
    for fragment in case.get("notes", []):
        assert any(fragment in n for n in notes), (fragment, notes)
    for fragment in case.get("json", []):
        assert fragment in json.dumps(data, ensure_ascii=False), fragment
