"""The Celery app. Configuration comes from Django settings (``CELERY_*``)."""

import os
from pathlib import Path
from typing import Any

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arenasite.settings")

app = Celery("arenasite")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def create_local_folders(sender: Celery, **kwargs: Any) -> None:
    """The filesystem broker's folders and the beat schedule's folder, made when the app's
    configuration is first read (by a worker, beat, or the first publish), not by settings."""
    options = sender.conf.broker_transport_options or {}
    names = ("data_folder_in", "data_folder_out", "control_folder")
    folders = [options.get(name) for name in names]
    if sender.conf.beat_schedule_filename:
        folders.append(str(Path(sender.conf.beat_schedule_filename).parent))
    for folder in filter(None, folders):
        Path(folder).mkdir(parents=True, exist_ok=True)
