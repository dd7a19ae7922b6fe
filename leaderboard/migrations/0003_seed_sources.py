"""Seed the live upstream sources the beat schedule imports (staff can edit them in the admin).

The official HF dataset (one Source per config, split ``latest``) is the primary source.
arena.ai pages are seeded disabled: Cloudflare challenges non-browser clients, so enabling
them is a deliberate choice per deployment.
"""

from django.db import migrations

HF_SERVER = "https://datasets-server.huggingface.co"
# config → (arena slug, style_control, enabled). Values frozen here on purpose: a migration
# must not change meaning when application code does.
HF_CONFIGS = {
    "text": ("text", False, True),
    "text_style_control": ("text", True, True),
    "vision": ("vision", False, True),
    "vision_style_control": ("vision", True, True),
    "search": ("search", False, True),
    "search_style_control": ("search", True, True),
    "document": ("document", False, False),
    "document_style_control": ("document", True, False),
    "webdev": ("webdev", True, True),
    "text_to_image": ("text-to-image", True, True),
    "image_edit": ("image-edit", True, True),
    "text_to_video": ("text-to-video", True, True),
    "image_to_video": ("image-to-video", True, True),
    "agent": ("agent", True, False),
}
ARENA_PAGES = {
    "arena-text": ("https://arena.ai/leaderboard/text", "text", True),
    "arena-webdev": ("https://arena.ai/leaderboard/webdev", "webdev", True),
}


def seed(apps, schema_editor):
    Source = apps.get_model("leaderboard", "Source")
    for config, (arena, style_control, enabled) in HF_CONFIGS.items():
        Source.objects.get_or_create(
            slug=f"hf-{config.replace('_', '-')}",
            defaults={
                "format": "hf-dataset",
                "url": HF_SERVER,
                "enabled": enabled,
                "options": {
                    "dataset": "lmarena-ai/leaderboard-dataset",
                    "config": config,
                    "split": "latest",
                    "arena": arena,
                    "category": "overall",
                    "style_control": style_control,
                },
            },
        )
    for slug, (url, arena, style_control) in ARENA_PAGES.items():
        Source.objects.get_or_create(
            slug=slug,
            defaults={
                "format": "arena-page",
                "url": url,
                "enabled": False,
                "options": {"arena": arena, "category": "overall", "style_control": style_control},
            },
        )


def unseed(apps, schema_editor):
    Source = apps.get_model("leaderboard", "Source")
    slugs = [f"hf-{c.replace('_', '-')}" for c in HF_CONFIGS] + list(ARENA_PAGES)
    Source.objects.filter(slug__in=slugs, runs__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("leaderboard", "0002_import_claims_and_skipped")]
    operations = [migrations.RunPython(seed, unseed)]
