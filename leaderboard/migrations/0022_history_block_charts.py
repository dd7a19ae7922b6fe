# The charts' number lists of each block, already JSON (charts.ChartText); blocks built
# before it have none and are encoded at read time until their board is rebuilt.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("leaderboard", "0021_entry_model_rank_idx"),
    ]

    operations = [
        migrations.AddField(
            model_name="historyblock",
            name="charts",
            field=models.TextField(blank=True, default=""),
        ),
    ]
