"""Irrelevant-intent lexicons: bundled data, user files, misspellings found strictly."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.config import Settings
from auditor.errors import ConfigError
from auditor.negatives.lexicons import ACCOUNT_INTENT, fuzzy_variants, lexicon_dir, load_lexicons

INTENTS = {"jobs", "free", "diy", "education", "used", "login", "definitions"}


def test_every_bundled_language_covers_every_intent() -> None:
    import tomllib

    files = {p.stem: p for p in lexicon_dir().glob("*.toml")}
    assert set(files) == {"en", "sv", "no", "da", "de"}
    for path in files.values():
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        assert set(data["intent"]) | set(data["proven"]) >= INTENTS, path.name
        assert data["buying"]["phrases"] and data["keep"]["phrases"], path.name


def test_entries_are_normalised_and_tagged() -> None:
    lexicon = load_lexicons(Settings())
    assert lexicon.entries["jobb"].intent == "jobs"
    assert lexicon.entries["gebraucht"].intent == "used"
    assert lexicon.entries["pre owned"].intent == "used"
    assert "free shipping" in lexicon.keep


def test_account_words_and_user_lexicons_come_first(tmp_path: Path) -> None:
    user = tmp_path / "mine.toml"
    user.write_text('[intents]\nwrong_product = ["skidjacka", "jobs"]\n', encoding="utf-8")
    lexicon = load_lexicons(Settings(irrelevant=("Wholesale",), lexicons=(user,)))
    assert lexicon.entries["wholesale"].intent == ACCOUNT_INTENT
    assert lexicon.entries["skidjacka"].intent == "wrong_product"
    assert lexicon.entries["jobs"].source == "mine.toml"


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("[intents]\njobs = 'job'\n", "must be a list of strings"),
        ("colour = 1\n", "unknown key"),
        ("[intents\n", "not a valid lexicon"),
    ],
)
def test_bad_user_lexicon_is_a_config_error(tmp_path: Path, content: str, fragment: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=fragment) as err:
        load_lexicons(Settings(lexicons=(path,)))
    assert "bad.toml" in str(err.value)


def test_misspellings_are_found_and_real_words_are_not() -> None:
    words = load_lexicons(Settings()).single_words()
    tokens = ["jbos", "jobss", "freee", "begagand", "carreer", "user", "uses", "kurz", "sued"]
    found = fuzzy_variants(tokens, words)
    assert found["jbos"] == "jobs"
    assert found["jobss"] == "jobs"
    assert found["freee"] == "free"
    assert found["begagand"] == "begagnad"
    assert found["carreer"] == "career"
    assert not {"user", "uses", "kurz", "sued"} & set(found)


def test_frequent_words_and_keyword_words_are_not_misspellings() -> None:
    words = load_lexicons(Settings()).single_words()
    counts = {"hiking": 240, "repiar": 2}
    found = fuzzy_variants(["hiking", "repiar"], words, counts, real_words={"repiar"})
    assert found == {}


def test_import_shallow_imports_in_a_short_stack(tmp_path, monkeypatch) -> None:
    """The module comes back as `import` gives it, imported in a new thread whose stack is
    shorter than the caller's; a missing module is None, any other error is raised."""
    import importlib
    import inspect
    import sys

    from auditor.side import import_shallow

    (tmp_path / "shallow_probe.py").write_text(
        "import inspect, threading\n"
        "THREAD = threading.current_thread().name\n"
        "DEPTH = len(inspect.stack())\n"
    )
    (tmp_path / "shallow_broken.py").write_text("raise ValueError('broken')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in ("shallow_probe", "shallow_broken"):
        monkeypatch.delitem(sys.modules, name, raising=False)

    def deep(levels: int):
        return deep(levels - 1) if levels else (import_shallow("shallow_probe"), inspect.stack())

    module, stack = deep(30)
    assert module is importlib.import_module("shallow_probe")
    assert module.THREAD == "import shallow_probe"
    assert len(stack) - 20 > module.DEPTH
    assert import_shallow("shallow_probe") is module
    assert import_shallow("no_such_module_here") is None
    with pytest.raises(ValueError, match="broken"):
        import_shallow("shallow_broken")
