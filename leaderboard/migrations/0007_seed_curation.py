"""Seed canonical organisations and licenses, with aliases for the spellings upstream really
uses (surveyed from every sample in tests/data/upstream). Staff can change all of it.

Idempotent and conservative: an entity is matched by name ignoring case; an alias that already
exists (whatever it points at) is left alone, so re-running this on a curated database never
moves a staff decision. Seeded aliases start reviewed: a person chose them.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

PROPRIETARY = "proprietary"
RESTRICTED = "open-restricted"
PERMISSIVE = "open-permissive"
OSI = "osi"

# (canonical name, url, [raw spellings seen upstream])
ORGANIZATIONS: list[tuple[str, str, list[str]]] = [
    ("01 AI", "https://www.01.ai/", ["01.AI", "01-ai", "01AI"]),
    ("AI21 Labs", "https://www.ai21.com/", ["AI21"]),
    ("Alibaba", "https://www.alibabacloud.com/", ["alibaba", "Aliaba", "Alibaba Cloud", "Qwen"]),
    ("Allen AI", "https://allenai.org/", ["Ai2", "AllenAI", "Allen Institute for AI"]),
    ("Amazon", "https://www.amazon.science/", ["amazon", "AWS"]),
    ("Anthropic", "https://www.anthropic.com/", ["anthropic"]),
    ("Baidu", "https://www.baidu.com/", ["baidu"]),
    ("Black Forest Labs", "https://bfl.ai/", ["bfl"]),
    ("ByteDance", "https://www.bytedance.com/", ["Bytedance", "ByteDance Seed"]),
    ("Cohere", "https://cohere.com/", ["cohere"]),
    ("DeepSeek", "https://www.deepseek.com/", ["DeepSeek AI", "deepseek", "deepseek-ai"]),
    ("Google", "https://ai.google/", ["google", "Google DeepMind"]),
    ("IBM", "https://www.ibm.com/", ["ibm"]),
    ("Ideogram", "https://ideogram.ai/", ["ideogram"]),
    ("Luma AI", "https://lumalabs.ai/", ["luma-ai"]),
    ("Meta", "https://ai.meta.com/", ["meta", "Meta AI", "meta-llama"]),
    ("Microsoft", "https://www.microsoft.com/en-us/ai", ["microsoft", "Azure", "Microsoft AI"]),
    ("MiniMax", "https://www.minimax.io/", ["minimax"]),
    ("Mistral AI", "https://mistral.ai/", ["Mistral", "mistral", "mistralai"]),
    ("Moonshot AI", "https://www.moonshot.ai/", ["Moonshot", "MoonshotAI", "Moonshot-AI"]),
    ("Nexusflow", "https://nexusflow.ai/", ["NexusFlow"]),
    ("NVIDIA", "https://www.nvidia.com/", ["Nvidia"]),
    ("OpenAI", "https://openai.com/", ["openai"]),
    ("Perplexity AI", "https://www.perplexity.ai/", ["Perplexity"]),
    ("Recraft", "https://www.recraft.ai/", ["recraft"]),
    ("Reka AI", "https://www.reka.ai/", ["Reka"]),
    ("StepFun", "https://www.stepfun.com/", ["stepfun"]),
    ("Tencent", "https://www.tencent.com/", ["tencent", "Tencent Hunyuan"]),
    ("xAI", "https://x.ai/", ["xai", "X.AI"]),
    ("Xiaomi", "https://www.mi.com/", ["xiaomi"]),
    ("Zhipu AI", "https://z.ai/", ["Zhipu", "Z.ai", "zai", "Z AI", "zai-org", "THUDM"]),
]

# (canonical name, kind, url, [raw spellings seen upstream])
LICENSES: list[tuple[str, str, str, list[str]]] = [
    ("Proprietary", PROPRIETARY, "", ["Propretary", "Propriety", "Closed"]),
    (
        "Apache 2.0",
        OSI,
        "https://www.apache.org/licenses/LICENSE-2.0",
        ["Apache-2.0", "Apache 2", "Apache License 2.0"],
    ),
    ("MIT", OSI, "https://opensource.org/license/mit", ["MIT License"]),
    ("Modified MIT", PERMISSIVE, "", ["Modified-MIT", "MIT (modified)"]),
    (
        "Llama 2 Community",
        RESTRICTED,
        "https://ai.meta.com/llama/license/",
        ["Llama 2", "Llama-2", "Llama 2 Community License"],
    ),
    (
        "Llama 3 Community",
        RESTRICTED,
        "https://www.llama.com/llama3/license/",
        ["Llama 3", "Llama-3", "Llama 3 Community License"],
    ),
    (
        "Llama 3.1 Community",
        RESTRICTED,
        "https://www.llama.com/llama3_1/license/",
        ["Llama 3.1", "Llama-3.1", "Llama 3.1 Communit", "Llama 3.1 Community License"],
    ),
    (
        "Llama 3.2 Community",
        RESTRICTED,
        "https://www.llama.com/llama3_2/license/",
        ["Llama 3.2", "Llama-3.2", "Llama 3.2 Community License"],
    ),
    (
        "Llama 3.3 Community",
        RESTRICTED,
        "https://www.llama.com/llama3_3/license/",
        ["Llama 3.3", "Llama-3.3", "Llama 3.3 Community License"],
    ),
    (
        "Llama 4 Community",
        RESTRICTED,
        "https://www.llama.com/llama4/license/",
        ["Llama 4", "Llama-4", "Llama 4 Community License"],
    ),
    ("Gemma", RESTRICTED, "https://ai.google.dev/gemma/terms", ["Gemma license", "Gemma Terms"]),
    (
        "CC-BY-NC-4.0",
        RESTRICTED,
        "https://creativecommons.org/licenses/by-nc/4.0/",
        ["CC BY-NC 4.0", "CC-BY-NC 4.0"],
    ),
    (
        "CC-BY-NC-SA-4.0",
        RESTRICTED,
        "https://creativecommons.org/licenses/by-nc-sa/4.0/",
        ["CC BY-NC-SA 4.0", "CC-BY-NC-SA 4.0"],
    ),
    ("Non-commercial", RESTRICTED, "", ["Non-Commercial", "Noncommercial", "NC"]),
    (
        "Qwen License",
        RESTRICTED,
        "https://huggingface.co/Qwen/Qwen2.5-72B-Instruct/blob/main/LICENSE",
        ["Qwen", "Qianwen LICENSE", "Qianwen License", "Tongyi Qianwen", "Tongyi Qianwen License"],
    ),
    (
        "DeepSeek License",
        RESTRICTED,
        "https://github.com/deepseek-ai/DeepSeek-LLM/blob/main/LICENSE-MODEL",
        ["DeepSeek", "DeepSeek Model License"],
    ),
    (
        "Yi License",
        RESTRICTED,
        "https://github.com/01-ai/Yi/blob/main/MODEL_LICENSE_AGREEMENT.txt",
        [],
    ),
    (
        "Mistral Research License",
        RESTRICTED,
        "https://mistral.ai/licenses/MRL-0.1.md",
        ["MRL", "Mistral Research"],
    ),
    ("DBRX License", RESTRICTED, "https://www.databricks.com/legal/open-model-license", []),
    (
        "Falcon-180B TII License",
        RESTRICTED,
        "https://falconllm.tii.ae/falcon-180b-license.html",
        [],
    ),
    (
        "Jamba Open Model License",
        RESTRICTED,
        "https://www.ai21.com/jamba-open-model-license/",
        ["Jamba Open"],
    ),
    (
        "NVIDIA Open Model License",
        PERMISSIVE,
        "https://www.nvidia.com/en-us/agreements/enterprise-software/nvidia-open-model-license/",
        ["NVIDIA Open Model", "Nvidia Open Model", "Nvidia Open"],
    ),
    ("AI2 ImpACT Low-risk", RESTRICTED, "https://allenai.org/licenses/impact-lr", []),
]


def seed_curation(apps: Any, schema_editor: Any = None) -> None:
    """Create the canonical entities and aliases above that do not exist yet. Idempotent."""
    organization_model = apps.get_model("leaderboard", "Organization")
    organization_alias = apps.get_model("leaderboard", "OrganizationAlias")
    license_model = apps.get_model("leaderboard", "License")
    license_alias = apps.get_model("leaderboard", "LicenseAlias")

    for name, url, spellings in ORGANIZATIONS:
        entity = organization_model.objects.filter(name__iexact=name).first()
        if entity is None:
            entity = organization_model.objects.create(name=name, url=url)
        for raw in [name, *spellings]:
            if not organization_alias.objects.filter(raw__iexact=raw).exists():
                organization_alias.objects.create(raw=raw, organization=entity, needs_review=False)

    for name, kind, url, spellings in LICENSES:
        entity = license_model.objects.filter(name__iexact=name).first()
        if entity is None:
            entity = license_model.objects.create(name=name, kind=kind, url=url)
        for raw in [name, *spellings]:
            if not license_alias.objects.filter(raw__iexact=raw).exists():
                license_alias.objects.create(raw=raw, license=entity, needs_review=False)


class Migration(migrations.Migration):
    dependencies = [("leaderboard", "0006_curation_history")]

    # Reversing leaves the rows: staff may have curated them since.
    operations = [migrations.RunPython(seed_curation, migrations.RunPython.noop)]
