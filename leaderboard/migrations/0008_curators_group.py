"""The "Curators" group with exactly the permissions curation needs.

- organisations, licenses and their aliases: view, add, change, delete (delete is what a
  merge does to the duplicate);
- AI models: view, change, delete (no add: models come from imports; delete only succeeds
  through a merge, entries protect a model that still has rows);
- boards, snapshots, entries, sources: view (links from a model to its boards);
- import runs: view and add (re-import a sample after a correction) — not force-publish,
  which overrides the validation gate and stays with administrators;
- the domain → organisation rules: view, add, change, delete (0018 adds the model and grants
  these to the group that exists by then).

Idempotent; the group's permissions are set to exactly this list each time it runs (a model
the migration state does not have yet is skipped: the migration that adds it grants it).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

GROUP_NAME = "Curators"
PERMISSIONS: dict[str, tuple[str, ...]] = {
    "organization": ("view", "add", "change", "delete"),
    "organizationalias": ("view", "add", "change", "delete"),
    "license": ("view", "add", "change", "delete"),
    "licensealias": ("view", "add", "change", "delete"),
    "aimodel": ("view", "change", "delete"),
    "modelalias": ("view", "add", "change", "delete"),
    "leaderboard": ("view",),
    "snapshot": ("view",),
    "entry": ("view",),
    "source": ("view",),
    "importrun": ("view", "add"),
    "organizationdomain": ("view", "add", "change", "delete"),
}


def create_curators_group(apps: Any, schema_editor: Any = None) -> None:
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations (post_migrate); a fresh database
    # has none yet, so create this app's now.
    app_config = apps.get_app_config("leaderboard")
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = models_module or True  # create_permissions skips None
    try:
        create_permissions(app_config, apps=apps, verbosity=0)
    finally:
        app_config.models_module = models_module

    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    group, _ = group_model.objects.get_or_create(name=GROUP_NAME)
    existing = {model._meta.model_name for model in app_config.get_models()}
    codenames = [
        f"{action}_{model}"
        for model, actions in PERMISSIONS.items()
        if model in existing
        for action in actions
    ]
    permissions = list(
        permission_model.objects.filter(
            content_type__app_label="leaderboard", codename__in=codenames
        )
    )
    missing = set(codenames) - {permission.codename for permission in permissions}
    if missing:
        raise RuntimeError(f"permissions missing for the Curators group: {sorted(missing)}")
    group.permissions.set(permissions)


def remove_curators_group(apps: Any, schema_editor: Any) -> None:
    apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("leaderboard", "0007_seed_curation"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_curators_group, remove_curators_group)]
