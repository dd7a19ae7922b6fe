"""Clean model cells: glued organisation logos, glued ``org · license`` tails, links and HTML.

Upstream's scrapers read the rendered leaderboard as text, so the alt text of an organisation
logo ends up glued to the front of the model name (``Anthropicclaude-opus-4-1-20250805``) and,
in the 2026 layouts, the organisation and license end up glued to its back
(``gemini-3-proGoogle · Proprietary``). Everything here is pure and total: it never raises.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .text import strip_html

LOGO_ORGANIZATIONS: dict[str, frozenset[str]] = {
    "01.AI": frozenset({"01 AI", "01.AI"}),
    "Anthropic": frozenset({"Anthropic"}),
    "Azure": frozenset({"Microsoft", "Microsoft AI", "Azure"}),
    "Bytedance": frozenset({"Bytedance", "ByteDance"}),
    "Cohere": frozenset({"Cohere"}),
    "HuggingFace": frozenset({"HuggingFace", "Hugging Face"}),
    "InternLM": frozenset({"InternLM"}),
    "Meta": frozenset({"Meta"}),
    "Minimax": frozenset({"MiniMax"}),
    "MoonshotAI": frozenset({"Moonshot", "Moonshot AI"}),
    "Nvidia": frozenset({"Nvidia", "NVIDIA"}),
    "OpenChat": frozenset({"OpenChat"}),
    "RWKV": frozenset({"RWKV"}),
    "Snowflake": frozenset({"Snowflake"}),
    "Stability": frozenset({"Stability AI"}),
    "Stepfun": frozenset({"StepFun"}),
    "Tencent": frozenset({"Tencent"}),
}
"""Logo alt texts seen glued to model names in the real pages, with the organisations they stand
for (``Azure`` is the logo on Microsoft's models)."""

KNOWN_ORGANIZATIONS: frozenset[str] = frozenset(
    {
        *(org for orgs in LOGO_ORGANIZATIONS.values() for org in orgs),
        "01 AI",
        "AI21 Labs",
        "Ai2",
        "Alibaba",
        "Allen AI",
        "AllenAI/UW",
        "Amazon",
        "Ant Group",
        "Arcee AI",
        "Baidu",
        "Cognitive Computations",
        "Databricks",
        "DeepSeek",
        "DeepSeek AI",
        "Google",
        "IBM",
        "Inception AI",
        "LMSYS",
        "Meituan",
        "Mistral",
        "MosaicML",
        "NexusFlow",
        "Nexusflow",
        "Nomic AI",
        "NousResearch",
        "OpenAI",
        "OpenAssistant",
        "Prime Intellect",
        "Princeton",
        "Reka AI",
        "Stanford",
        "TII",
        "Together AI",
        "Tsinghua",
        "UC Berkeley",
        "UW",
        "Upstage AI",
        "Xiaomi",
        "Z.ai",
        "Zhipu",
        "Zhipu AI",
        "xAI",
    }
)
"""Organisation spellings seen in the real pages' organisation columns and glued tails."""

_SLASHED_ORGANIZATIONS = frozenset(org for org in KNOWN_ORGANIZATIONS if "/" in org)

_ORG_SEPARATOR = " · "
_LINK = re.compile(r"\[([^\[\]]*)\]\(\s*((?:[^()\s]|\([^()\s]*\))*)\s*\)")
_HREF = re.compile(r"""<a\s[^>]*?href\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
_FOOTNOTE = re.compile(r"^\s*(?:<sup>)?\s*\d*\s*(?:</sup>)?\s*$", re.IGNORECASE)
# A capitalised organisation tail after the model name: "Google", "Prime Intellect", "Z.ai".
_ORG_TAIL = re.compile(r"[A-Z0-9][A-Za-z0-9.&/']*(?: [A-Z0-9][A-Za-z0-9.&/']*)*")
_ORG_TAIL_START = re.compile(r"(?<=[a-z0-9)\]])(?=[A-Z])")


@dataclass(frozen=True, slots=True)
class ModelCell:
    """What a model cell says, cleaned."""

    name: str
    raw: str
    """The visible cell text when cleaning changed it, else ``""``."""
    uncertain: bool
    organization: str = ""
    """The organisation glued into the cell (``… · license`` layout), else ``""``."""
    license: str = ""
    link: str = ""
    """The first link target in the cell, unchecked (pass it through ``safe_url``)."""


def clean_model_cell(cell: str, organization: str) -> tuple[str, str, bool]:
    """Return ``(clean_name, raw_cell_if_changed_else_empty, uncertain)`` for a model cell."""
    parsed = parse_model_cell(cell, organization)
    return parsed.name, parsed.raw, parsed.uncertain


def parse_model_cell(cell: str, organization: str = "") -> ModelCell:
    """Split a model cell into name, glued organisation / license and link. Never raises.

    ``organization`` is the row's organisation column (``""`` when the layout has none); it
    confirms a glued logo. ``uncertain`` is True when a prefix or tail had to be guessed.
    """
    visible, link = _visible_text(cell)
    name = visible
    uncertain = False
    glued_org = glued_license = ""
    if _ORG_SEPARATOR in name:
        name, glued_org, glued_license, uncertain = _split_org_license(name)
    name, logo_uncertain = _strip_logo(name, organization or glued_org)
    name = name.strip()
    if not name:
        # Cleaning must never leave a row without a name: keep what upstream showed.
        name, uncertain = visible, True
    return ModelCell(
        name=name,
        raw=visible if name != visible else "",
        uncertain=uncertain or logo_uncertain,
        organization=glued_org,
        license=glued_license,
        link=link,
    )


def without_case(name: str) -> tuple[str, str]:
    """A sort key: names without case, and ``GPT-4o`` before ``gpt-4o`` (a set's order, which
    changes with each process's hash seed, would otherwise decide, and with it the page's
    bytes and ETag in each worker)."""
    return name.casefold(), name


def reader_names(raws: Iterable[str], organization: str = "") -> list[str]:
    """A model's upstream strings as its page lists them: without the scraped cells that
    only glue a logo or an ``org · license`` tail onto another of these strings, each once,
    sorted without case. A string is left out only when the cleaner is sure and what it reads
    is one of the others: every string shown is one upstream wrote (the cleaner would misread
    some names on their own: ``HuggingFaceH4/zephyr-7b-beta``). ``organization``: the
    model's, which confirms a glued logo as in the row it came from."""
    distinct = set(raws)
    known = {raw.casefold() for raw in distinct}
    shown = []
    for raw in distinct:
        cell = parse_model_cell(raw, organization)
        read = cell.name.casefold()
        if cell.raw and not cell.uncertain and read != raw.casefold() and read in known:
            continue
        shown.append(raw)
    return sorted(shown, key=without_case)


def rejoin_split_organization(organization: str, license_: str) -> tuple[str, str]:
    """``("AllenAI", "UW")`` → ``("AllenAI/UW", "")``: a scraper that split the organisation on
    its slash pushed the second half into the license column and lost the real license (seen
    for tulu-2-dpo-70b in acarter881's snapshots). Only a known slashed organisation is
    rejoined: a license after a real organisation stays as it is."""
    joined = f"{organization}/{license_}"
    if organization and license_ and joined in _SLASHED_ORGANIZATIONS:
        return joined, ""
    return organization, license_


def model_cell_link(cell: str) -> str:
    """The first link target in a markdown / HTML cell, unchecked; ``""`` when there is none."""
    return _visible_text(cell)[1]


def _visible_text(cell: str) -> tuple[str, str]:
    """Cell text with links replaced by their text (footnote links dropped), and the first href."""
    links: list[str] = []

    def replace(match: re.Match[str]) -> str:
        links.append(match.group(2))
        label = match.group(1)
        return "" if _FOOTNOTE.match(label) else label

    text = _LINK.sub(replace, cell)
    href = _HREF.search(text)
    if href:
        links.append(href.group(1))
    return strip_html(text), (links[0] if links else "")


def _split_org_license(text: str) -> tuple[str, str, str, bool]:
    """``gemini-3-proGoogle · Proprietary`` → (``gemini-3-pro``, ``Google``, ``Proprietary``)."""
    head, _, license_ = text.rpartition(_ORG_SEPARATOR)
    head, license_ = head.strip(), license_.strip()
    known = [org for org in KNOWN_ORGANIZATIONS if head.endswith(org) and len(head) > len(org)]
    if known:
        org = max(known, key=len)
        return head[: -len(org)], org, license_, False
    for match in _ORG_TAIL_START.finditer(head):
        tail = head[match.start() :]
        if _ORG_TAIL.fullmatch(tail):
            return head[: match.start()], tail, license_, True
    return head, "", license_, True


def _org_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _strip_logo(name: str, organization: str) -> tuple[str, bool]:
    """Remove a logo glued to the front of ``name``; the flag says the result is a guess."""
    org_key = _org_key(organization)
    for logo in sorted(LOGO_ORGANIZATIONS, key=len, reverse=True):
        rest = name[len(logo) :]
        if not name.startswith(logo) or not rest:
            continue
        confirmed = org_key in {_org_key(org) for org in LOGO_ORGANIZATIONS[logo]}
        if rest[0].islower():
            # Without a matching organisation the logo is only probably a logo.
            return rest, not confirmed
        if rest[0].isupper() and confirmed:
            # "RWKVRWKV-4-Raven-14B", "MetaMeta-Llama-3.1-70B-Instruct": the logo repeated.
            return rest, False
        # "RWKV-4-Raven-14B", "Meta-Llama-…": the word belongs to the name itself.
        return name, rest[0].isupper() and not confirmed and _looks_like_name(rest)
    for prefix in _organization_prefixes(organization):
        rest = name[len(prefix) :]
        if name.startswith(prefix) and rest[:1].islower():
            # An organisation word glued to a lower-case id, but not a logo we have seen.
            return rest, True
    return name, False


def _organization_prefixes(organization: str) -> list[str]:
    words = organization.split()
    candidates = {organization, "".join(words), words[0] if words else ""}
    return sorted((c for c in candidates if len(c) >= 2), key=len, reverse=True)


def _looks_like_name(rest: str) -> bool:
    """True for ``Claude 3.5 …``-like remainders: a word of two letters or more, not a suffix."""
    return bool(re.match(r"[A-Z][A-Za-z]+[\s\-0-9]", rest))


_SEPARATORS = re.compile(r"[\s_.:]+")


def normalised_key(text: str) -> str:
    """``"Claude 3.5 Haiku"``, ``"claude-3-5-haiku"`` and ``"anthropic/claude_3.5_haiku"``
    share one normalised key: case, a provider prefix and separators do not count. Two
    models are the same model by it only when nothing else shares it (callers check)."""
    last = text.strip().casefold().rsplit("/", 1)[-1]
    return _SEPARATORS.sub("-", last).strip("-")
