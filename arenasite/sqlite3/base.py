"""Django's SQLite backend, creating the database file's folder on first connection.

Settings only name paths; a folder appears when something first writes there (this backend,
the Celery app for its filesystem broker), so importing settings touches no disk.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteDatabaseWrapper


class DatabaseWrapper(SQLiteDatabaseWrapper):
    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        name = str(conn_params["database"])
        if not self.is_in_memory_db() and not name.startswith("file:"):  # URIs: left as given
            # A folder that cannot be made is left to SQLite's own "unable to open" error.
            with contextlib.suppress(OSError):
                Path(name).parent.mkdir(parents=True, exist_ok=True)
        return super().get_new_connection(conn_params)
