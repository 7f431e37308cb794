"""The lab in Chinese: catalogs complete and current, messages put into words when read."""

from __future__ import annotations

import gettext
import io
import os
import pickle
import re
import string
import subprocess
import sys

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from streamlit.testing.v1 import AppTest

from ae_core.i18n import (
    LOCALE_DIR,
    _,
    from_accept_language,
    from_environment,
    lazy,
    shown,
    supported,
    use_language,
)
from ae_core.lesson_plan import PAGE_KEYS
from tests.conftest import ROOT
from tests.language_support import page_texts, untranslated
from tests.page_support import SESSION_KEY, assert_clean, new_app, train_from_page

LANGUAGE_SWITCH = "lab.language.switch"
TABLE_DATA = {"gene", "pathway"}  # column names of assets/tables/gene_terms.csv

PO_FILE = LOCALE_DIR / "zh" / "LC_MESSAGES" / "messages.po"
MO_FILE = LOCALE_DIR / "zh" / "LC_MESSAGES" / "messages.mo"
KEYWORDS = {"_": None, "N_": None, "lazy": None, "ngettext": (1, 2)}


def chinese_catalog():
    with open(PO_FILE, "rb") as f:
        return read_po(f)


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def source_messages() -> set[str]:
    """Every message the code marks, found as the catalog script finds it: Babel's extractor
    with the project's mapping file and keywords."""
    with open(LOCALE_DIR / "babel.cfg") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        ROOT, method_map, options_map, keywords=KEYWORDS
    ):
        found.add(message if isinstance(message, str) else message[0])
    return {m for m in found if m}


def test_every_message_has_a_chinese_translation():
    catalog = chinese_catalog()
    messages = [m for m in catalog if m.id]
    assert len(messages) > 500
    for message in messages:
        text = message.string if isinstance(message.string, str) else message.string[0]
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        assert text, f"not translated: {msgid!r}"
        assert "fuzzy" not in message.flags, f"needs checking after a change: {msgid!r}"
        # Every placeholder kept ("{s}", an English plural ending, may go).
        if "\\text" not in msgid:
            assert fields(text) == fields(msgid) - {"s"}, msgid


def test_the_catalog_holds_every_message_the_code_marks():
    """A new or changed message fails here until `bash ae_core/locale/catalog.sh` has
    extracted it and it has been translated."""
    in_catalog = {m.id if isinstance(m.id, str) else m.id[0] for m in chinese_catalog() if m.id}
    missing = source_messages() - in_catalog
    assert not missing, f"run ae_core/locale/catalog.sh and translate: {sorted(missing)[:10]}"
    unused = in_catalog - source_messages()
    assert not unused, f"no longer in the code: {sorted(unused)[:10]}"


def test_the_compiled_catalog_is_the_translated_one():
    fresh = io.BytesIO()
    write_mo(fresh, chinese_catalog())
    fresh.seek(0)
    compiled = gettext.GNUTranslations(fresh)
    with open(MO_FILE, "rb") as f:
        shipped = gettext.GNUTranslations(f)
    assert _without_tool_version(shipped) == _without_tool_version(compiled)


def _without_tool_version(translations: gettext.GNUTranslations) -> dict:
    """The catalog's messages, its header without the "Generated-By: Babel x.y" line: a new
    Babel release (CI installs the newest) changes that line and nothing a reader sees."""
    catalog = dict(translations._catalog)  # type: ignore[attr-defined]
    catalog[""] = "\n".join(
        line for line in catalog[""].split("\n") if not line.startswith("Generated-By:")
    )
    return catalog


def test_messages_are_put_into_the_readers_language():
    with use_language("zh"):
        assert _("Train a model") == "训练模型"
    assert _("Train a model") == "Train a model"
    with use_language("fr"):  # a language the lab does not speak reads English
        assert _("Train a model") == "Train a model"


def test_a_lazy_message_is_english_as_a_value_and_translated_when_shown():
    stage = lazy("Pretraining layer {layer} of {layers} ({inputs} -> {outputs})", layer=1,
                 layers=3, inputs=784, outputs=256)  # fmt: skip
    message = lazy("Stopped after epoch {epoch} of {epochs} ({stage}). The model keeps the "
                   "weights it had reached.", epoch=2, epochs=5, stage=stage)  # fmt: skip
    assert message.startswith("Stopped after epoch 2 of 5 (Pretraining layer 1 of 3")
    with use_language("zh"):
        made_in_chinese = lazy("Run {number}", number=4)
        assert (
            str(message)
            == "在第 2/5 轮后停止（预训练第 1/3 层（784 -> 256））。模型保留已达到的权重。"
        )
        assert f"{stage}" == "预训练第 1/3 层（784 -> 256）"
        assert shown(stage) == "预训练第 1/3 层（784 -> 256）"
    assert made_in_chinese == "Run 4"  # its value stays English wherever it was made
    assert str(message).startswith("Stopped after epoch 2")
    # Worker processes hand messages back pickled; saved runs keep them as data.
    copy = pickle.loads(pickle.dumps(message))
    with use_language("zh"):
        assert str(copy) == str(message.__class__(message.msgid, **message.params))
        assert "预训练" in str(lazy.from_dict(message.as_dict()))
    assert lazy.from_dict(None, fallback="plain") == "plain"


def test_the_language_comes_from_the_browser_or_the_terminal(monkeypatch):
    assert supported("zh-CN") == supported("zh_Hans_CN") == "zh"
    assert supported("en-GB") == "en"
    assert supported("de") is None
    assert from_accept_language("zh-CN,zh;q=0.9,en;q=0.8") == "zh"
    assert from_accept_language("de-DE,en-US;q=0.7,zh;q=0.5") == "en"
    assert from_accept_language("fr;q=0.9, zh-TW;q=0.95") == "zh"
    assert from_accept_language("") is None
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert from_environment() == "zh"
    monkeypatch.setenv("LANGUAGE", "en_GB:zh")
    assert from_environment() == "en"


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LANG")}
    return subprocess.run(
        [sys.executable, "-m", "ae_core", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=120,
    )


@pytest.mark.data_free
def test_the_command_line_speaks_the_terminals_language():
    chinese = run_cli("archs", LANG="zh_CN.UTF-8", PYTHONIOENCODING="utf-8")
    assert chinese.returncode == 0, chinese.stderr
    assert "深层全连接" in chinese.stdout and "变分自编码器" in chinese.stdout
    english = run_cli("--lang", "en", "archs", LANG="zh_CN.UTF-8", PYTHONIOENCODING="utf-8")
    assert "Deep dense" in english.stdout
    asked = run_cli("--lang=zh", "archs", LANG="C", PYTHONIOENCODING="utf-8")
    assert "深层全连接" in asked.stdout
    # A terminal that cannot show Chinese gets English rather than a crash.
    plain = run_cli("archs", LANG="zh_CN.UTF-8", PYTHONIOENCODING="ascii")
    assert plain.returncode == 0, plain.stderr
    assert "Deep dense" in plain.stdout


@pytest.mark.data_free
def test_command_line_errors_are_translated(tmp_path):
    lesson = tmp_path / "lesson.toml"
    lesson.write_text('title = "x"\npages = ["nowhere"]\n', encoding="utf-8")
    result = run_cli("check-lesson", str(lesson), LANG="zh_CN.UTF-8", PYTHONIOENCODING="utf-8")
    assert result.returncode == 2
    assert "第 2 行" in result.stderr and "未知页面 'nowhere'" in result.stderr


# --- the pages in Chinese ---------------------------------------------------------------
PAGES = PAGE_KEYS  # every page of the lab


def switch_language(at: AppTest, language: str) -> AppTest:
    at.selectbox(key=LANGUAGE_SWITCH).set_value(language).run()
    assert_clean(at)
    return at


@pytest.fixture(scope="module")
def chinese_app(tmp_path_factory):
    """A session that trained a 2-D model in English, then switched to Chinese."""
    patch = pytest.MonkeyPatch()
    patch.setenv("AE_RUNS_DIR", str(tmp_path_factory.mktemp("runs")))
    at = train_from_page(new_app().run(), architecture="deep", epochs=1, latent_dim=2)
    lab = at.session_state[SESSION_KEY]
    before = (list(lab.models), lab.current, lab.job)
    switch_language(at, "zh")
    yield at, before
    patch.undo()


def test_switching_language_keeps_the_sessions_models_and_run(chinese_app):
    at, (models, current, job) = chinese_app
    lab = at.session_state[SESSION_KEY]
    assert (list(lab.models), lab.current, lab.job) == (models, current, job)
    assert at.title[0].value == "训练模型"
    assert at.success[0].value.startswith("训练了 1 轮")  # the run's message, now in Chinese
    assert lab.current_model.name == "Run 1: Deep dense, code 2"  # its name, as a value
    with use_language("zh"):
        assert str(lab.current_model.name) == "运行 1：深层全连接，编码维度 2"  # and as read


@pytest.mark.parametrize("page", PAGES)
def test_every_page_in_chinese_leaves_no_english_sentence(chinese_app, page):
    at, _ = chinese_app
    at.switch_page(f"pages/{page}.py").run()
    if page == "my_digits":
        at.toggle(key="mine.examples").set_value(True).run()
    if page == "table_codes":
        at.button(key="table.example").click().run()
    assert_clean(at)
    assert at.session_state["lab.language"] == "zh"
    # The example table's own column names are the reader's data, not the lab's words.
    left = {text: words for text, words in untranslated(at).items() if text not in TABLE_DATA}
    assert not left, left
    assert any(re.search("[\u4e00-\u9fff]", text) for text in page_texts(at))


def test_a_link_fixes_the_language_and_each_session_keeps_its_own():
    chinese, english = new_app(), new_app()
    chinese.query_params["lang"] = "zh"
    chinese.run()
    english.run()
    chinese.run()
    assert chinese.title[0].value == "自编码器实验室"
    assert english.title[0].value == "Autoencoder Lab"
    switch_language(chinese, "en")
    assert chinese.title[0].value == "Autoencoder Lab"
    assert chinese.query_params["lang"] == "en"  # a reload keeps the reader's choice
    chinese.query_params["lang"] = "zh"  # a rerun asked for before the browser took that in
    chinese.run()
    assert chinese.title[0].value == "Autoencoder Lab"


def test_the_browsers_language_picks_the_default(monkeypatch):
    from pages.ui import language

    monkeypatch.setattr(language, "browser_language", lambda: "zh")
    at = new_app().run()
    assert at.title[0].value == "自编码器实验室"
    assert at.selectbox(key=LANGUAGE_SWITCH).value == "zh"


def test_the_served_font_draws_every_chinese_character_the_lab_shows():
    """Rebuild with `python assets/make_font.py` when this fails after new translations."""
    from fontTools.ttLib import TTFont

    font_file = ROOT / "assets" / "fonts" / "lab-cjk-sc.woff2"
    drawn = TTFont(font_file).getBestCmap()
    wide = {c for c in PO_FILE.read_text(encoding="utf-8") if ord(c) > 0x2E7F}
    assert wide, "the catalog has Chinese characters"
    missing = sorted(c for c in wide if ord(c) not in drawn)
    assert not missing, f"not in the font: {''.join(missing)}"
    # Streamlit serves app/static/ from static/, which is the fonts folder.
    assert (ROOT / "static" / "lab-cjk-sc.woff2").read_bytes() == font_file.read_bytes()
    assert (
        'url = "app/static/lab-cjk-sc.woff2"' in (ROOT / ".streamlit" / "config.toml").read_text()
    )
