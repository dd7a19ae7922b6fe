# The history blocks read a model's history now: the entry index by model keeps the rank
# alone (the organisation page's best ranks), not every field of a point. The new index is
# built before the old one is dropped, so reads by model always have one.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("leaderboard", "0020_history_blocks"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="entry",
            index=models.Index(
                fields=["model", "snapshot"], include=("rank",), name="entry_model_rank_idx"
            ),
        ),
        migrations.RemoveIndex(
            model_name="entry",
            name="entry_model_history_idx",
        ),
    ]
