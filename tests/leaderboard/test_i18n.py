"""English and Simplified Chinese: the same board in both languages, the catalog complete and
current.

The pages are rendered from the real seed page through the real import pipeline; the catalog
checks read locale/zh_Hans/LC_MESSAGES/django.po and its compiled .mo directly.
"""

from __future__ import annotations

import ast
import gettext
import html
import io
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils.translation.template import templatize

from tests.paths import REPO

SEED = REPO / "tests/data/upstream/markdown-cherry/seed_en_2025-11-18.md"
CATALOG = REPO / "locale/zh_Hans/LC_MESSAGES/django.po"
COMPILED = CATALOG.with_suffix(".mo")

ZH_BOARD = "/zh-hans/text/overall/"
EN_BOARD = "/text/overall/"
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


@pytest.fixture(autouse=True)
def _private_page_cache(settings: Any) -> None:
    """Page cache keys are (board pk, snapshot pk, content version, language, state); on SQLite
    those repeat from test to test while a process-wide cache would keep another test's page."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"test-i18n-{uuid.uuid4()}",
        }
    }


@pytest.fixture
def seeded(db: None) -> None:
    """The seed page (266 models, text/overall with style control) imported for real."""
    call_command("import_leaderboard", str(SEED), stdout=io.StringIO())


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def header_cells(body: str) -> list[str]:
    """The table's column headers as shown, without sort arrows."""
    thead = body.split("<thead>", 1)[1].split("</thead>", 1)[0]
    cells = re.findall(r"<th\b[^>]*>(.*?)</th>", thead, flags=re.S)
    return [html.unescape(re.sub(r"<span.*?</span>|<[^>]+>", "", cell)).strip() for cell in cells]


def model_cells(body: str) -> list[str]:
    """The model names, without the organisation and license folded under them for phones."""
    return [
        html.unescape(re.sub(r"<[^>]+>", "", cell.split('<span class="model-meta">')[0])).strip()
        for cell in re.findall(r'<td class="sticky model">(.*?)</td>', body, flags=re.S)
    ]


def language_link(body: str, code: str) -> str:
    """The switcher's link to ``code``, unescaped as a browser would follow it."""
    nav = re.search(r'<nav class="languages".*?</nav>', body, flags=re.S)
    assert nav is not None
    link = re.search(rf'<a href="([^"]*)" lang="{code}" hreflang="{code}">', nav.group(0))
    assert link is not None, f"no link to {code} in {nav.group(0)}"
    return html.unescape(link.group(1))


def test_chinese_board_shows_the_columns_in_chinese_and_the_models_as_they_are(
    client: Client, seeded: None
) -> None:
    body = page(client, ZH_BOARD)

    assert '<html lang="zh-hans">' in body
    assert header_cells(body) == [
        "排名",
        "排名区间",
        "模型",
        "分数",
        "变动",
        "95% 置信区间",
        "票数",
        "组织",
        "许可证",
    ]
    models = model_cells(body)
    assert len(models) == 266
    assert models[:2] == ["grok-4.1-thinking", "grok-4.1"]
    assert models == model_cells(page(client, EN_BOARD))


def test_chinese_board_explains_update_time_columns_source_and_disclaimer_in_chinese(
    client: Client, seeded: None
) -> None:
    body = page(client, ZH_BOARD)

    for text in (
        "<dt>数据更新时间</dt>",
        "CST (北京时间)",
        "<h2>列说明</h2>",
        "按分数排列的名次：1 表示分数最高。",
        "<h2>数据来源</h2>",
        "<h2>免责声明</h2>",
        '<span class="badge">初步</span>',
    ):
        assert text in body, text
    # The attribution keeps the names and the licence as they are.
    assert '<a href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a>' in body
    assert "Bradley–Terry 评分，采用 Elo 尺度" in body


def test_chinese_rank_spread_is_explained_as_an_interval_of_ranks_not_a_bound_on_the_score(
    client: Client, seeded: None
) -> None:
    body = page(client, ZH_BOARD)
    explanation = re.search(r"<dt>排名区间</dt>\s*<dd>(.*?)</dd>", body, flags=re.S)

    assert explanation is not None
    text = explanation.group(1)
    assert "显示为 最好◄─►最差" in text
    assert "最好排名 = 1 + 置信下界高于本模型置信上界的模型数" in text
    assert "它是排名的区间，而不是分数的上界或下界" in text
    # The inspiring page called Rank (UB) an upper bound of the Elo score; we must not.
    assert "Elo 分数的" not in body


def test_english_board_has_no_chinese_except_the_switcher_link_to_chinese(
    client: Client, seeded: None
) -> None:
    body = page(client, EN_BOARD)
    switcher = re.search(r'<nav class="languages".*?</nav>', body, flags=re.S)

    assert switcher is not None
    assert '<html lang="en">' in body
    assert header_cells(body)[:2] == ["Rank", "Rank spread"]
    assert '<a href="/zh-hans/text/overall/" lang="zh-hans" hreflang="zh-hans">简体中文</a>' in (
        switcher.group(0)
    )
    outside_switcher = body.replace(switcher.group(0), "")
    assert CJK.findall(outside_switcher) == []


def test_language_switcher_points_to_the_same_filtered_board_in_the_other_language(
    client: Client, seeded: None
) -> None:
    query = "?min_votes=1000&q=grok&sort=-votes"
    chinese = page(client, ZH_BOARD + query + "&utm_source=mail")  # not state: not carried over
    english = page(client, EN_BOARD + query)

    assert language_link(chinese, "en") == EN_BOARD + query
    assert language_link(english, "zh-hans") == ZH_BOARD + query
    grok = model_cells(chinese)
    assert grok and all("grok" in name for name in grok)
    assert len(grok) < 266
    assert model_cells(page(client, language_link(chinese, "en"))) == grok


def test_about_page_renders_in_chinese(client: Client, db: None) -> None:
    body = page(client, "/zh-hans/about/")

    assert '<html lang="zh-hans">' in body
    assert "<h1>关于与方法</h1>" in body
    assert "本站展示 LMArena (arena.ai) 的排行榜" in body
    assert "<dt>排名区间</dt>" in body
    assert "This site shows" not in body
    assert language_link(body, "en") == "/about/"


def test_chinese_board_names_its_board_tabs_and_source_in_chinese(
    client: Client, seeded: None
) -> None:
    body = page(client, ZH_BOARD)
    english = page(client, EN_BOARD)

    assert "<h1>文本 · 总榜</h1>" in body
    assert '<a href="/zh-hans/text/overall/" aria-current="page">文本</a>' in body
    assert "每日更新的「LLM Arena 排行榜」页面（Cherry Studio 文档）</a>" in body
    assert "<h1>Text · Overall</h1>" in english
    assert "the daily LLM Arena leaderboard page (Cherry Studio docs)</a>" in english


def test_markdown_export_under_zh_hans_has_the_chinese_originals_headings(
    client: Client, seeded: None
) -> None:
    chinese = page(client, ZH_BOARD + "export.md")
    english = page(client, EN_BOARD + "export.md")

    assert chinese.startswith("# LLM Arena 排行榜 — 文本 · 总榜 (`text/overall`)\n")
    headings = (
        "> **数据更新时间**: ", "CST (北京时间)", "## 排行榜", "## 说明", "## 数据来源",
        "## 免责声明", "| 排名 | 排名区间 (上限◄─►下限) | 模型 | 分数 |",
    )  # fmt: skip
    for heading in headings:
        assert heading in chinese, heading
    assert "| 1483 初步 |" in chinese
    assert "Data Update Time" not in chinese and "## Leaderboard" not in chinese
    assert english.startswith("# LLM Arena Leaderboard — Text · Overall (`text/overall`)\n")
    assert "## Leaderboard" in english and "| 1483 Preliminary |" in english
    assert CJK.findall(english) == []
    # The rows are the same data in both languages.
    assert chinese.count("\n| ") == english.count("\n| ")


def test_error_pages_speak_the_readers_language(client: Client, seeded: None) -> None:
    missing = client.get("/zh-hans/text/overall/?as_of=2001-01-01")

    assert missing.status_code == 404
    body = missing.content.decode()
    assert '<html lang="zh-hans">' in body and "该日期还没有快照" in body
    assert "查看第一个快照（2025-11-18）" in body


# --- the catalog --------------------------------------------------------------------------


@dataclass
class CatalogEntry:
    msgid: str
    msgid_plural: str = ""
    msgstrs: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)


def _po_string(line: str) -> str:
    return ast.literal_eval(line[line.index('"') :])


def parse_catalog(path: Path) -> list[CatalogEntry]:
    """Active entries of a .po file (the header and obsolete ``#~`` entries left out)."""
    entries: list[CatalogEntry] = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if line and not line.startswith("#~")]
        flags = {
            flag.strip() for line in lines if line.startswith("#,") for flag in line[2:].split(",")
        }
        fields: dict[str, str] = {}
        current = ""
        for line in lines:
            if line.startswith("#"):
                continue
            if line.startswith('"'):
                fields[current] += _po_string(line)
            else:
                current = line.split(" ", 1)[0]
                fields[current] = _po_string(line)
        if "msgid" not in fields or fields["msgid"] == "":
            continue
        msgstrs = [value for key, value in fields.items() if key.startswith("msgstr")]
        entries.append(
            CatalogEntry(fields["msgid"], fields.get("msgid_plural", ""), msgstrs, flags)
        )
    return entries


def _placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"%\([a-z_]+\)[sd]|%%|\{\{.*?\}\}", text))


def test_every_catalog_entry_is_translated_not_fuzzy_and_keeps_its_placeholders() -> None:
    entries = parse_catalog(CATALOG)

    assert len(entries) > 100
    for entry in entries:
        assert "fuzzy" not in entry.flags, entry.msgid
        assert entry.msgstrs and all(s.strip() for s in entry.msgstrs), entry.msgid
        source = entry.msgid_plural or entry.msgid
        for msgstr in entry.msgstrs:
            assert _placeholders(msgstr) == _placeholders(source), entry.msgid


def test_compiled_catalog_matches_the_po_file() -> None:
    with COMPILED.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)

    for entry in parse_catalog(CATALOG):
        if entry.msgid_plural:
            assert compiled.ngettext(entry.msgid, entry.msgid_plural, 2) == entry.msgstrs[0]
        else:
            assert compiled.gettext(entry.msgid) == entry.msgstrs[0], entry.msgid


def _template_msgids() -> set[str]:
    """What makemessages extracts from templates/, by the same templatize() it uses."""
    found: set[str] = set()
    for path in (REPO / "templates").rglob("*.html"):
        code = templatize(path.read_text(encoding="utf-8"), origin=str(path))
        pattern = r"""\bn?gettext\((u?(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"))"""
        for literal in re.findall(pattern, code):
            found.add(ast.literal_eval(literal))
    return found


def _python_msgids() -> set[str]:
    """String literals passed to _(), gettext(), ngettext() in the app and the settings."""
    names = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy"}
    found: set[str] = set()
    for path in [*(REPO / "leaderboard").rglob("*.py"), REPO / "arenasite" / "settings.py"]:
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        # makemessages (xgettext) does not look inside f-strings: a call there is not found.
        hidden = {
            id(call)
            for joined in ast.walk(tree)
            if isinstance(joined, ast.JoinedStr)
            for call in ast.walk(joined)
        }
        for node in ast.walk(tree):
            if id(node) in hidden:
                continue
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in names
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.add(node.args[0].value)
    return found


def test_catalog_holds_every_string_marked_in_templates_and_code() -> None:
    catalog = {entry.msgid for entry in parse_catalog(CATALOG)}
    marked = _template_msgids() | _python_msgids()

    assert "Rank spread" in marked
    missing = sorted(marked - catalog)
    assert missing == [], (
        "run makemessages -l zh_Hans, translate, then compilemessages; missing: "
        + "; ".join(missing)
    )
