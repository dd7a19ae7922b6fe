"""The import pipeline's admin: runs are read-only records with their raw payload downloadable;
staff can import a source now, upload a file (queued for the worker, or dry-run here), and
force-publish a rejected run with a written reason. Every write goes through ``services.importing``;
these views are glue. A queued or running run's page refreshes itself until the run ends.

Past 400 lines on purpose: the run, source and payload admins and their three custom views
(upload, import now, force-publish) share the run links, permissions and messages; apart they
would import each other.
"""

from __future__ import annotations

import datetime as dt
import json
import mimetypes
import re
from io import BytesIO
from typing import Any
from urllib.parse import urlsplit

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import cache_keys, models, tasks
from ..forms import ForcePublishForm, UploadImportForm
from ..services import history_blocks, importing, runs
from ..services.imports import Outcome, payload_bytes

Status = models.ImportRun.Status

# Forcing past the gate has its own permission; uploading creates a run.
FORCE_PUBLISH_PERMISSION = "leaderboard.force_publish_importrun"
UPLOAD_PERMISSION = "leaderboard.add_importrun"

_STATUS_ICONS: dict[str, str] = {
    Status.SUCCEEDED: "yes",
    Status.UNCHANGED: "yes",
    Status.REJECTED: "alert",
    Status.FAILED: "no",
    Status.QUEUED: "clock",
    Status.RUNNING: "clock",
    Status.SKIPPED: "unknown",
}
_OUTCOME_LEVELS: dict[str, int] = {
    Status.SUCCEEDED: messages.SUCCESS,
    Status.UNCHANGED: messages.INFO,
    Status.SKIPPED: messages.WARNING,
}
REFRESH_SECONDS = 3
# A queued run the worker has not touched for this long says so on its page.
UNCLAIMED_AFTER_SECONDS = 10
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")
_CONTENT_TYPE = re.compile(r"[\w.+-]+/[\w.+-]+(; ?charset=[\w.-]+)?", re.ASCII)


def status_badge(status: str) -> SafeString:
    """The status as the admin's own icons show booleans: CSP-safe (no inline style/script)."""
    icon = _STATUS_ICONS.get(status, "unknown")
    label = Status(status).label if status in Status.values else status
    return format_html(
        '<img src="{}" alt="{}"> {}', static(f"admin/img/icon-{icon}.svg"), status, label
    )


def pretty_json(value: object) -> SafeString:
    text = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str)
    return format_html("<pre>{}</pre>", text)


def payload_filename(run: models.ImportRun, payload: models.RawPayload) -> str:
    """A download name made only of ``[A-Za-z0-9._-]``, from the origin's last path segment."""
    origin = run.origin or payload.origin
    tail = urlsplit(origin).path if "://" in origin else origin
    name = _UNSAFE_FILENAME.sub("_", tail.replace("\\", "/").rsplit("/", 1)[-1]).strip("._-")
    name = name[:100] or f"payload-{payload.sha256[:12]}"
    if "." not in name:
        media_type = payload_content_type(payload, name).split(";")[0]
        name += mimetypes.guess_extension(media_type) or ".bin"
    return f"run-{run.pk}-{name}"


def payload_content_type(payload: models.RawPayload, name: str) -> str:
    """The stored type when it is well-formed (it came from upstream or a browser), else a
    guess from the name; never anything that could smuggle a header."""
    stored = payload.content_type.strip()
    if _CONTENT_TYPE.fullmatch(stored):
        return stored
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def message_outcome(request: HttpRequest, outcome: Outcome, *, verb: str) -> None:
    run = outcome.run
    label = Status(outcome.status).label
    text = f"{verb} run {run.pk if run else ''}: {label}"
    if outcome.reason:
        text += f": {outcome.reason}"
    messages.add_message(request, _OUTCOME_LEVELS.get(outcome.status, messages.ERROR), text)


class ShownDataAdmin(admin.ModelAdmin):
    """An edit of what public pages show: every cached page is stale once it commits."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        self._changed()

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)
        self._changed()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        with transaction.atomic():  # the action's delete is not in one (the form's is)
            super().delete_queryset(request, queryset)
            self._changed()

    def _changed(self) -> None:
        transaction.on_commit(cache_keys.bump)


class PublishedDataAdmin(ShownDataAdmin):
    """An edit of published rows by hand (a snapshot, an entry): the history blocks are stale
    too (an entry edit changes no timeline)."""

    def _changed(self) -> None:
        history_blocks.forget()
        super()._changed()


@admin.register(models.Leaderboard)
class LeaderboardAdmin(ShownDataAdmin):
    list_display = ["slug", "name", "metric", "display_order", "current_snapshot"]
    list_filter = ["arena", "style_control", "metric"]
    search_fields = ["arena", "category", "name"]
    raw_id_fields = ["current_snapshot"]


@admin.register(models.Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = [
        "slug",
        "format",
        "url",
        "enabled",
        "last_revision",
        "latest_run_status",
        "latest_run_at",
    ]
    list_filter = ["enabled", "format"]
    search_fields = ["slug", "url"]
    actions = ["import_now"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[models.Source]:
        # Two correlated subqueries in the list's one query, instead of a query per row.
        latest = models.ImportRun.objects.filter(source=OuterRef("pk")).order_by(
            "-started_at", "-pk"
        )
        return (
            super()
            .get_queryset(request)
            .annotate(
                latest_run_status=Subquery(latest.values("status")[:1]),
                latest_run_at=Subquery(latest.values("started_at")[:1]),
            )
        )

    @admin.display(description=_("latest run"), ordering="latest_run_status")
    def latest_run_status(self, source: models.Source) -> SafeString | str:
        status = getattr(source, "latest_run_status", None)
        return status_badge(status) if status else "—"

    @admin.display(description=_("latest run started"), ordering="latest_run_at")
    def latest_run_at(self, source: models.Source) -> Any:
        return getattr(source, "latest_run_at", None)

    @admin.action(description=_("Import now"), permissions=["change"])
    def import_now(self, request: HttpRequest, queryset: QuerySet[models.Source]) -> None:
        """Queue one import per selected source (after commit); the runs appear as they end."""
        selected = list(queryset)
        for source in selected:
            tasks.enqueue_import(source, trigger=models.ImportRun.Trigger.ADMIN, force_fetch=True)
        self.message_user(
            request,
            ngettext(
                "Queued an import of %(slugs)s.",
                "Queued %(count)d imports: %(slugs)s.",
                len(selected),
            )
            % {"count": len(selected), "slugs": ", ".join(source.slug for source in selected)},
            messages.SUCCESS,
        )


class RunStatusFilter(admin.SimpleListFilter):
    """Status, hiding "unchanged" runs unless asked: every ``make run`` and every scheduled
    fetch of an unchanged upstream adds one, and they buried the runs that did something."""

    title = _("status")
    parameter_name = "status"
    ALL = "all"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [(self.ALL, _("All, unchanged included")), *Status.choices]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[models.ImportRun]
    ) -> QuerySet[models.ImportRun]:
        value = self.value()
        if value is None:
            return queryset.exclude(status=Status.UNCHANGED)
        if value in Status.values:
            return queryset.filter(status=value)
        return queryset

    def choices(self, changelist: Any) -> Any:
        for choice in super().choices(changelist):
            if choice["display"] == _("All"):  # the default: say what it leaves out
                choice["display"] = _("All but unchanged")
            yield choice


@admin.register(models.ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    """Runs are records: viewable, never added, edited or deleted here."""

    # The finish time is on the run's page: started + duration say it in less width.
    list_display = [
        "started_at",
        "status_display",
        "trigger",
        "format",
        "origin_short",
        "board_key",
        "source",
        "duration",
    ]
    list_display_links = ["started_at"]
    list_filter = [RunStatusFilter, "trigger", "format", "source"]
    search_fields = ["origin", "reason", "board_key", "force_reason"]
    date_hierarchy = "started_at"
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "status_display",
                    "progress_display",
                    "reason",
                    "trigger",
                    "source",
                    "origin",
                    "board_key",
                    "format",
                    "published_on",
                    "fetched_at",
                    "upstream_updated_at",
                    "started_at",
                    "finished_at",
                    "duration",
                ]
            },
        ),
        (_("What it did"), {"fields": ["snapshots_created", "counts_display", "changes_display"]}),
        (_("Raw payload"), {"fields": ["payload_display"]}),
        (_("Forced past the gate"), {"fields": ["forced_by", "force_reason"]}),
    ]
    # A run is a record: every field it shows is read-only.
    readonly_fields = [str(name) for _title, options in fieldsets for name in options["fields"]]

    def get_queryset(self, request: HttpRequest) -> QuerySet[models.ImportRun]:
        # The payload's bytes can be tens of MB: never load them to show a run. (The changelist
        # ignores list_select_related once a select_related is set, so name every join here.)
        return (
            super()
            .get_queryset(request)
            .select_related("source", "payload", "forced_by")
            .defer("payload__compressed")
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    # --- display ------------------------------------------------------------------------

    @admin.display(description=_("status"), ordering="status")
    def status_display(self, run: models.ImportRun) -> SafeString:
        return status_badge(run.status)

    @admin.display(description=_("origin"), ordering="origin")
    def origin_short(self, run: models.ImportRun) -> SafeString | str:
        """The origin's last segment (a bundled file's name, a URL's path), whole on hover."""
        if not run.origin:
            return "—"
        tail = run.origin.rstrip("/").rsplit("/", 1)[-1] or run.origin
        return format_html('<span title="{}">{}</span>', run.origin, tail[:60])

    @admin.display(description=_("progress"))
    def progress_display(self, run: models.ImportRun) -> str:
        return progress_line(run, now=timezone.now())

    @admin.display(description=_("duration"))
    def duration(self, run: models.ImportRun) -> str:
        return run_duration(run)

    @admin.display(description=_("counts"))
    def counts_display(self, run: models.ImportRun) -> SafeString:
        return pretty_json(run.counts)

    @admin.display(description=_("changes"))
    def changes_display(self, run: models.ImportRun) -> SafeString:
        return pretty_json(run.changes)

    @admin.display(description=_("snapshots created"))
    def snapshots_created(self, run: models.ImportRun) -> SafeString | str:
        snapshots = run.snapshots.select_related("leaderboard").order_by("published_on", "pk")
        links = format_html_join(
            ", ",
            '<a href="{}">{} {} ({} rows, {} {})</a>',
            (
                (
                    reverse("admin:leaderboard_snapshot_change", args=[snapshot.pk]),
                    snapshot.leaderboard.slug,
                    snapshot.published_on,
                    snapshot.row_count,
                    _("dated by"),
                    snapshot.get_dated_by_display() or "—",
                )
                for snapshot in snapshots
            ),
        )
        return links or "—"

    @admin.display(description=_("payload"))
    def payload_display(self, run: models.ImportRun) -> SafeString | str:
        if run.payload is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a> ({} bytes, sha256 {}, {})',
            reverse("admin:leaderboard_importrun_payload", args=[run.pk]),
            _("Download raw payload"),
            run.payload.size,
            run.payload.sha256,
            run.payload.content_type or _("no content type"),
        )

    # --- custom views -------------------------------------------------------------------

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path("upload/", view(self.upload_view), name="leaderboard_importrun_upload"),
            path(
                "<path:object_id>/payload/",
                view(self.payload_view),
                name="leaderboard_importrun_payload",
            ),
            path(
                "<path:object_id>/force-publish/",
                view(self.force_publish_view),
                name="leaderboard_importrun_force_publish",
            ),
            *super().get_urls(),
        ]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        run = self.get_object(request, unquote(object_id))
        extra = {
            "can_force_publish": run is not None
            and runs.can_force_publish(run)
            and request.user.has_perm(FORCE_PUBLISH_PERMISSION),
            "refresh_seconds": (
                REFRESH_SECONDS
                if run is not None and run.status in {Status.QUEUED, Status.RUNNING}
                else None
            ),
        }
        return super().change_view(request, object_id, form_url, extra | (extra_context or {}))

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        extra: dict[str, Any] = {"can_upload": request.user.has_perm(UPLOAD_PERMISSION)}
        if RunStatusFilter.parameter_name not in request.GET:
            hidden = models.ImportRun.objects.filter(status=Status.UNCHANGED).count()
            extra["unchanged_hidden"] = hidden
        return super().changelist_view(request, extra | (extra_context or {}))

    def _viewable_run(self, request: HttpRequest, object_id: str) -> models.ImportRun:
        run = self.get_object(request, unquote(object_id))
        if run is None:
            raise Http404(f"no import run {object_id!r}")
        if not self.has_view_permission(request, run):
            raise PermissionDenied
        return run

    def _change_url(self, run: models.ImportRun) -> str:
        return reverse("admin:leaderboard_importrun_change", args=[run.pk])

    def payload_view(self, request: HttpRequest, object_id: str) -> HttpResponseBase:
        """The exact bytes the run read, as an attachment (staff with view permission)."""
        run = self._viewable_run(request, object_id)
        if run.payload is None:
            messages.error(request, _("This run stored no payload."))
            return HttpResponseRedirect(self._change_url(run))
        name = payload_filename(run, run.payload)
        return FileResponse(
            BytesIO(payload_bytes(run.payload)),
            as_attachment=True,
            filename=name,
            content_type=payload_content_type(run.payload, name),
        )

    def force_publish_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Publish a rejected run's payload past its soft problems, with a written reason."""
        run = self._viewable_run(request, object_id)
        if not request.user.has_perm(FORCE_PUBLISH_PERMISSION):
            raise PermissionDenied
        if not runs.can_force_publish(run):
            messages.error(
                request, _("Only a rejected run with a stored payload can be force-published.")
            )
            return HttpResponseRedirect(self._change_url(run))
        form = ForcePublishForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            assert isinstance(request.user, User)  # admin_view lets staff in only
            outcome = importing.force_publish(run=run, user=request.user, reason=reason)
            new_run = outcome.run
            assert new_run is not None  # a real (not dry) import always records its run
            self.log_change(request, run, f"Force-published as run {new_run.pk}: {reason}")
            message_outcome(request, outcome, verb="Force-published as")
            return HttpResponseRedirect(self._change_url(new_run))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": run,
            "form": form,
            "title": _("Force-publish %(run)s") % {"run": run},
            "status": status_badge(run.status),
        }
        return TemplateResponse(request, "admin/leaderboard/importrun/force_publish.html", context)

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        """Queue an uploaded file for the worker (trigger "upload") and show its run at once,
        or dry-run it here and show the result."""
        if not request.user.has_perm(UPLOAD_PERMISSION):
            raise PermissionDenied
        posted = request.method == "POST"
        form = UploadImportForm(request.POST if posted else None, request.FILES if posted else None)
        dry_run_outcome = None
        if form.is_valid():
            upload = form.cleaned_data["file"]
            options = form.import_options(trigger=models.ImportRun.Trigger.UPLOAD)
            data, name, content_type = upload.read(), upload.name, upload.content_type or ""
            if options.dry_run:
                dry_run_outcome = importing.import_origin(
                    importing.FromFile(data=data, name=name, content_type=content_type), options
                )
            else:
                run = importing.queue_upload(
                    data=data, name=name, content_type=content_type, options=options
                )
                tasks.enqueue_run(run)
                messages.info(request, f"Queued upload as run {run.pk}: the worker imports it.")
                return HttpResponseRedirect(self._change_url(run))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "form": form,
            "title": _("Upload a file to import"),
            "dry_run": dry_run_outcome,
            "dry_run_status": status_badge(dry_run_outcome.status) if dry_run_outcome else "",
            "dry_run_counts": (
                pretty_json(dry_run_outcome.counts.as_json()) if dry_run_outcome else ""
            ),
        }
        return TemplateResponse(request, "admin/leaderboard/importrun/upload.html", context)


def run_duration(run: models.ImportRun) -> str:
    """From start to finish ("—" while it runs): "0.4 s", "6.2 s", "3 min 05 s"."""
    if run.finished_at is None or run.started_at is None:
        return "—"
    seconds = max((run.finished_at - run.started_at).total_seconds(), 0.0)
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s"


def progress_line(run: models.ImportRun, *, now: dt.datetime) -> str:
    """Where a queued or running run is, in one line; "—" once it ended."""
    if run.status == Status.QUEUED:
        waited = (now - run.started_at).total_seconds() if run.started_at else 0.0
        if run.heartbeat_at and run.heartbeat_at > now:
            return run.progress or "waiting to be retried"
        if waited > UNCLAIMED_AFTER_SECONDS:
            return (
                f"queued {waited:.0f} s ago and not picked up by the worker yet: is the worker "
                "running? (queued uploads are sent again every minute)"
            )
        return run.progress or "queued"
    if run.status == Status.RUNNING:
        seen = (now - run.heartbeat_at).total_seconds() if run.heartbeat_at else None
        alive = f"; alive {seen:.0f} s ago" if seen is not None else ""
        return f"{run.progress or 'running'}{alive}"
    return "—"


@admin.register(models.Snapshot)
class SnapshotAdmin(PublishedDataAdmin):
    list_display = [
        "leaderboard",
        "published_on",
        "dated_by",
        "source",
        "row_count",
        "upstream_updated_at",
        "imported_at",
    ]
    list_filter = ["leaderboard", "source", "dated_by"]
    date_hierarchy = "published_on"
    raw_id_fields = ["import_run"]


@admin.register(models.Entry)
class EntryAdmin(PublishedDataAdmin):
    list_display = ["snapshot", "rank", "model", "score", "votes", "preliminary"]
    list_select_related = ["snapshot__leaderboard", "model"]
    search_fields = ["raw_model", "model__name"]
    raw_id_fields = ["snapshot", "model"]


@admin.register(models.RawPayload)
class RawPayloadAdmin(admin.ModelAdmin):
    list_display = ["origin", "sha256", "size", "fetched_at"]
    search_fields = ["origin", "sha256"]
    exclude = ["compressed"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[models.RawPayload]:
        # The list and the form never show the bytes; loading them cost MBs per row.
        return super().get_queryset(request).defer("compressed")


admin.site.register(models.Heartbeat)
