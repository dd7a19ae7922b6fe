"""The domain: boards, curated metadata with aliases, dated snapshots, entries, import runs.

Curated entities (Organization, License, AIModel) hold what staff decided; their aliases hold
the raw strings upstream used. Entries point at the curated entity *and* keep the raw strings,
so editing a canonical name fixes every board at once and nothing upstream said is lost.

One module although it is past 400 lines: these models point at one another (a board at its
current snapshot, entries at models, runs at sources), Django's app loading expects them
here, and the bulk is field declarations with their help texts, not logic.
"""

from __future__ import annotations

import fnmatch
import functools
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q, TextChoices
from django.db.models.functions import Lower
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .boards import BoardKey

UNEXPECTED_ERROR = "unexpected error"
"""How an ImportRun's reason begins when it failed on our side (an exception, whose text may
name hosts, users and paths): the public status page shows no more than that."""


class Leaderboard(models.Model):
    """One board: arena × category × style control (the two views are never mixed)."""

    class Metric(models.TextChoices):
        ELO = "elo", _("Elo-scale rating")
        SCORE = "score", _("Score")

    arena = models.SlugField(max_length=40)
    category = models.SlugField(max_length=60)
    style_control = models.BooleanField(
        default=True,
        help_text=_("arena.ai's default view is style-controlled; the raw one is another board."),
    )
    name = models.CharField(max_length=120, blank=True)
    metric = models.CharField(max_length=10, choices=Metric.choices, default=Metric.ELO)
    display_order = models.PositiveSmallIntegerField(default=100)
    current_snapshot = models.ForeignKey(
        "Snapshot",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The published snapshot; swapped in one UPDATE when an import commits."),
    )

    class Meta:
        ordering = ["display_order", "arena", "category", "-style_control"]
        constraints = [
            models.UniqueConstraint(
                fields=["arena", "category", "style_control"], name="leaderboard_unique_board"
            ),
        ]

    def __str__(self) -> str:
        return self.slug

    def get_absolute_url(self) -> str:
        urlconf = get_urlconf() or settings.ROOT_URLCONF
        return _board_url(
            self.arena, self.url_category, get_language(), get_script_prefix(), urlconf
        )

    @property
    def key(self) -> BoardKey:
        return BoardKey(arena=self.arena, category=self.category, style_control=self.style_control)

    @property
    def url_category(self) -> str:
        return self.key.url_category

    @property
    def slug(self) -> str:
        return self.key.slug


@functools.lru_cache(maxsize=512)
def _board_url(
    arena: str, category: str, language: str | None, prefix: str, urlconf: str | None
) -> str:
    """A board's URL, remembered: a model page links its boards dozens of times, and each
    ``reverse`` cost 70 µs. The arguments are all it depends on (``reverse`` reads the rest)."""
    return reverse("leaderboard:board", args=[arena, category])


class Organization(models.Model):
    name = models.CharField(max_length=120, unique=True)
    url = models.URLField(blank=True)
    needs_review = models.BooleanField(default=False, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The audit trail (who, when, what, why) of every curated entity: django-simple-history.
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OrganizationDomain(models.Model):
    """A curated rule: a link to this host (or a subdomain of it) names this organisation.

    Used for rows whose upstream gives a link but no organisation (the webdev, text-to-image and
    agent boards): ``anthropic.com`` covers ``www.anthropic.com`` and ``docs.anthropic.com``. A
    host shared by many makers takes the first path segment too (``huggingface.co/qwen``).
    """

    domain = models.CharField(
        max_length=200,
        unique=True,
        help_text=_(
            "Lower-case host without www (anthropic.com), optionally with the first path "
            "segment for hosts shared by many makers (huggingface.co/qwen)."
        ),
    )
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="domains")
    history = HistoricalRecords()

    class Meta:
        ordering = ["domain"]
        verbose_name = _("organization domain")

    def __str__(self) -> str:
        return f"{self.domain} → {self.organization}"


class License(models.Model):
    # Not ``models.TextChoices``: inside this class ``models`` is also the reverse accessor
    # of AIModel.license (related_name="models"), which the type checker resolves first.
    class Kind(TextChoices):
        PROPRIETARY = "proprietary", _("Proprietary")
        OPEN_RESTRICTED = "open-restricted", _("Open weights with restrictions")
        OPEN_PERMISSIVE = "open-permissive", _("Open weights, permissive")
        OSI = "osi", _("OSI open source")
        UNKNOWN = "unknown", _("Unknown")

    OPEN_WEIGHTS_KINDS = (Kind.OPEN_RESTRICTED, Kind.OPEN_PERMISSIVE, Kind.OSI)

    name = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.UNKNOWN)
    url = models.URLField(blank=True)
    needs_review = models.BooleanField(default=False, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open_weights(self) -> bool:
        return self.kind in self.OPEN_WEIGHTS_KINDS


class ModelFamily(models.Model):
    """Variants of one model (``claude-opus-4-1`` with its ``-thinking-32k`` and dated
    snapshots): suggested by ``FamilyRule``s, curated in the admin."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=200, unique=True, help_text=_("Rules find a family they suggest by its slug.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("model family")
        verbose_name_plural = _("model families")

    def __str__(self) -> str:
        return self.name


class FamilyRule(models.Model):
    """Pattern → family. With a family, a model whose key matches joins it; without one, a
    regex's ``base`` group is stripped off the key (a variant suffix) and models sharing a
    base form the family named by it. Applied by ``services.families``, first match in
    ``order``; a curated assignment (``AIModel.family_curated``) always wins."""

    class Syntax(TextChoices):
        REGEX = "regex", _("Regular expression")
        GLOB = "glob", _("Glob (* and ?)")

    pattern = models.CharField(
        max_length=200,
        help_text=_(
            "Matched against the whole model key, ignoring case. A rule with no family must be "
            "a regex with a (?P<base>…) group: the key without its variant suffix."
        ),
    )
    syntax = models.CharField(max_length=5, choices=Syntax.choices, default=Syntax.REGEX)
    family = models.ForeignKey(
        ModelFamily, on_delete=models.CASCADE, null=True, blank=True, related_name="rules"
    )
    order = models.PositiveSmallIntegerField(default=100)
    enabled = models.BooleanField(default=True)
    note = models.CharField(max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return f"{self.pattern} → {self.family or _('its base')}"

    def compiled(self) -> re.Pattern[str]:
        """The pattern as a case-insensitive regex (a glob translated). Raises re.error."""
        source = (
            fnmatch.translate(self.pattern) if self.syntax == self.Syntax.GLOB else self.pattern
        )
        return re.compile(source, re.IGNORECASE)

    def clean(self) -> None:
        try:
            compiled = self.compiled()
        except re.error as error:
            raise ValidationError(
                {"pattern": _("Not a valid pattern: %(error)s") % {"error": error}}
            ) from error
        if self.family_id is None and "base" not in compiled.groupindex:
            raise ValidationError(
                {"pattern": _("A rule without a family needs a regex with a (?P<base>…) group.")}
            )


class AIModel(models.Model):
    """A model as staff curate it. ``key`` is the stable identity imports match on."""

    key = models.CharField(
        max_length=200,
        unique=True,
        help_text=_("Stable identity: upstream's model key where given, else the cleaned name."),
    )
    name = models.CharField(max_length=200, help_text=_("Display name."))
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="models"
    )
    license = models.ForeignKey(
        License, on_delete=models.PROTECT, null=True, blank=True, related_name="models"
    )
    url = models.URLField(blank=True, max_length=500)
    release_date = models.DateField(null=True, blank=True)
    parameters_billions = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    open_weights = models.BooleanField(null=True, blank=True)
    context_tokens = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("Context window in tokens.")
    )
    output_tokens = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("Longest output in tokens.")
    )
    knowledge_cutoff = models.CharField(
        max_length=10, blank=True, help_text=_("Training data cutoff: YYYY-MM or YYYY-MM-DD.")
    )
    input_price = models.DecimalField(
        max_digits=10,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("US dollars per million input tokens, from the model's own provider."),
    )
    output_price = models.DecimalField(
        max_digits=10,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("US dollars per million output tokens, from the model's own provider."),
    )
    deprecated = models.BooleanField(default=False)
    preliminary_override = models.BooleanField(
        null=True, blank=True, help_text=_("Overrides upstream's Preliminary flag when set.")
    )
    notes = models.TextField(blank=True)
    family = models.ForeignKey(
        ModelFamily, on_delete=models.SET_NULL, null=True, blank=True, related_name="members"
    )
    family_curated = models.BooleanField(
        default=False,
        help_text=_("A curator chose this family (or none): family rules leave it alone."),
    )
    family_rule = models.ForeignKey(
        FamilyRule,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The rule that suggested the family; empty when curated."),
    )
    needs_review = models.BooleanField(default=False, db_index=True)
    # What upstream said most recently, kept beside the curated values for review.
    upstream_organization = models.CharField(max_length=200, blank=True)
    upstream_license = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["name"]
        verbose_name = _("AI model")
        constraints = [
            models.CheckConstraint(
                condition=Q(parameters_billions__isnull=True) | Q(parameters_billions__gt=0),
                name="aimodel_parameters_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("leaderboard:model", args=[self.key])


class Alias(models.Model):
    """A raw upstream string mapped to a curated entity. Matched case-insensitively."""

    raw = models.CharField(max_length=300)
    needs_review = models.BooleanField(default=True, db_index=True)
    first_seen = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["raw"]

    def __str__(self) -> str:
        return self.raw


class OrganizationAlias(Alias):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="aliases")
    # Re-mapping a raw string is a curation decision: audited like the entities.
    history = HistoricalRecords()

    class Meta(Alias.Meta):
        verbose_name_plural = _("organization aliases")
        constraints = [
            models.UniqueConstraint(Lower("raw"), name="organizationalias_unique_raw_ci"),
        ]


class LicenseAlias(Alias):
    license = models.ForeignKey(License, on_delete=models.CASCADE, related_name="aliases")
    # Re-mapping a raw string is a curation decision: audited like the entities.
    history = HistoricalRecords()

    class Meta(Alias.Meta):
        verbose_name_plural = _("license aliases")
        constraints = [models.UniqueConstraint(Lower("raw"), name="licensealias_unique_raw_ci")]


class ModelAlias(Alias):
    model = models.ForeignKey(AIModel, on_delete=models.CASCADE, related_name="aliases")
    # Re-mapping a raw string is a curation decision: audited like the entities.
    history = HistoricalRecords()

    class Meta(Alias.Meta):
        verbose_name_plural = _("model aliases")
        constraints = [models.UniqueConstraint(Lower("raw"), name="modelalias_unique_raw_ci")]


class EnrichmentRule(models.Model):
    """A curator's word on which catalogue entry describes our models, where no key matches.

    ``pattern`` is a regular expression matched against the whole model key (ignoring case);
    ``target`` is the catalogue model id, which may use the pattern's groups (``\\g<base>``).
    Rules are tried in ``priority`` order after the exact and normalised key matches.
    """

    pattern = models.CharField(max_length=200)
    target = models.CharField(max_length=200, help_text=_("Catalogue model id, e.g. \\g<base>."))
    fields = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("Comma-separated facts this rule may fill; empty: all."),
    )
    priority = models.PositiveSmallIntegerField(default=100)
    enabled = models.BooleanField(default=True)
    note = models.CharField(max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["priority", "pk"]

    def __str__(self) -> str:
        return f"{self.pattern} → {self.target}"


class ModelFact(models.Model):
    """What a catalogue says about one field of one model, and what became of it.

    The provenance of an enriched value: which source (and version) said it, when we last
    checked, how the model was matched. A curated value always wins: the fact is then
    ``agrees`` or, when the catalogue says something else, ``conflict`` until a curator
    decides (``kept``: the curated value stands until the catalogue changes its mind)."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied: the value shown came from the catalogue")
        AGREES = "agrees", _("Agrees with the curated value")
        CONFLICT = "conflict", _("Conflict: waits for review")
        KEPT = "kept", _("Reviewed: the curated value stands")

    model = models.ForeignKey(AIModel, on_delete=models.CASCADE, related_name="facts")
    field = models.CharField(max_length=40)
    value = models.CharField(max_length=100, help_text=_("What the catalogue says."))
    source = models.CharField(max_length=40)
    source_version = models.CharField(max_length=40)
    source_ref = models.CharField(max_length=200, help_text=_("The catalogue entry used."))
    matched_by = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, db_index=True)
    reason = models.CharField(max_length=300, blank=True)
    checked_on = models.DateTimeField()

    class Meta:
        ordering = ["model", "field"]
        constraints = [
            models.UniqueConstraint(
                fields=["model", "field", "source"], name="modelfact_unique_field_source"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.model_id} {self.field}={self.value} ({self.source})"


class RawPayload(models.Model):
    """Exactly the bytes an import read, compressed, so a parser fix can re-parse them."""

    sha256 = models.CharField(max_length=64, unique=True)
    size = models.PositiveBigIntegerField(help_text=_("Uncompressed size in bytes."))
    compressed = models.BinaryField()
    origin = models.CharField(max_length=500, help_text=_("URL or file name it came from."))
    content_type = models.CharField(max_length=100, blank=True)
    fetched_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.origin} ({self.sha256[:12]})"


class Source(models.Model):
    """A configured upstream (``hf-text``, ``arena-text-overall``…) the beat schedule imports."""

    slug = models.SlugField(max_length=60, unique=True)
    format = models.CharField(max_length=40, help_text=_("Adapter name, e.g. hf-dataset."))
    url = models.URLField(max_length=500)
    options = models.JSONField(default=dict, blank=True)
    enabled = models.BooleanField(default=True)
    last_revision = models.CharField(
        max_length=100, blank=True, help_text=_("Upstream revision last imported (skip if same).")
    )

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug


class ImportRun(models.Model):
    """Every import attempt, whatever its outcome."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued: waiting for the worker")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        UNCHANGED = "unchanged", _("Unchanged")
        REJECTED = "rejected", _("Rejected")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped: another import held the claim")

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", _("Schedule")
        COMMAND = "command", _("Command line")
        ADMIN = "admin", _("Admin")
        UPLOAD = "upload", _("Upload")

    source = models.ForeignKey(
        Source, on_delete=models.SET_NULL, null=True, blank=True, related_name="runs"
    )
    origin = models.CharField(max_length=500, blank=True)
    board_key = models.CharField(max_length=120, blank=True)
    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.RUNNING, db_index=True
    )
    format = models.CharField(max_length=40, blank=True)
    published_on = models.DateField(
        null=True, blank=True, help_text=_("The date given for payloads that carry none.")
    )
    fetched_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_(
            "When the payload was fetched live (empty for a file): it dates a payload that "
            "names no date, neither in its content nor in its name."
        ),
    )
    upstream_updated_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("When upstream says the fetched revision was made (the dataset's commit)."),
    )
    reason = models.TextField(blank=True, help_text=_("Why it was rejected or failed."))
    counts = models.JSONField(default=dict, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    payload = models.ForeignKey(
        RawPayload, on_delete=models.PROTECT, null=True, blank=True, related_name="runs"
    )
    forced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    force_reason = models.TextField(blank=True)
    # Not auto_now_add: a run recorded after the work (a failed fetch) gives its real start.
    started_at = models.DateTimeField(default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_(
            "Running: when its process last said it was alive. Queued: when it was last "
            "handed to the worker (or when it may be retried)."
        ),
    )
    progress = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-started_at"]
        permissions = [
            ("force_publish_importrun", "Can force-publish a rejected import with a reason"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(forced_by__isnull=True) | ~Q(force_reason=""),
                name="importrun_force_needs_reason",
            ),
            models.CheckConstraint(
                condition=Q(finished_at__isnull=True) | Q(finished_at__gte=F("started_at")),
                name="importrun_finishes_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} {self.origin or self.source} {self.started_at:%F %T}"


class LiveSnapshotManager(models.Manager["Snapshot"]):
    """Snapshots that are part of the published history: not replaced by a newer version."""

    def get_queryset(self) -> models.QuerySet[Snapshot]:
        return super().get_queryset().filter(superseded_at__isnull=True)


class Snapshot(models.Model):
    """One board at one upstream publish date from one source. Written whole or not at all.

    When upstream republishes a date, the new version replaces the old one, which is only
    marked ``superseded_at`` and deleted a grace period later: a reader that resolved the old
    snapshot a moment before still reads all of its rows. ``objects`` hides superseded ones;
    ``all_objects`` sees them (purging, merges)."""

    class RankKind(models.TextChoices):
        POSITION = "position", _("Position by score")
        UB = "ub", _("Rank (UB), with ties")

    class DatedBy(models.TextChoices):
        """Where ``published_on`` came from (``services.planning.date_snapshot``)."""

        PAYLOAD = "payload", _("the payload's own date")
        GIVEN = "given", _("the date given with the import")
        FILE_NAME = "file_name", _("the date in the file name")
        FETCH = "fetch", _("the fetch date (the payload carries none)")

    leaderboard = models.ForeignKey(Leaderboard, on_delete=models.PROTECT, related_name="snapshots")
    published_on = models.DateField()
    dated_by = models.CharField(
        max_length=10,
        choices=DatedBy.choices,
        blank=True,
        help_text=_("Where the publish date came from; empty for snapshots imported before."),
    )
    upstream_updated_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_(
            'When upstream says the data was updated (the page\'s "Data Update Time", the '
            "dataset's commit); empty when it says nothing. Not our import time."
        ),
    )
    source = models.CharField(max_length=60, help_text=_("Source or format the data came from."))
    rank_kind = models.CharField(max_length=10, choices=RankKind.choices)
    content_hash = models.CharField(max_length=64)
    row_count = models.PositiveIntegerField()
    total_votes = models.PositiveBigIntegerField(null=True, blank=True)
    import_run = models.ForeignKey(
        ImportRun, on_delete=models.PROTECT, null=True, blank=True, related_name="snapshots"
    )
    imported_at = models.DateTimeField(auto_now_add=True)
    superseded_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("When a newer version of this date replaced it; deleted after a grace period."),
    )

    objects = LiveSnapshotManager()
    all_objects = models.Manager()  # noqa: DJ012 (a manager; ruff takes models.X() for a field)

    class Meta:
        ordering = ["-published_on", "-imported_at"]
        get_latest_by = "published_on"
        # Related managers (board.snapshots) hide superseded snapshots; forward relations
        # (entry.snapshot, board.current_snapshot) still reach them.
        base_manager_name = "all_objects"
        constraints = [
            models.UniqueConstraint(
                fields=["leaderboard", "published_on", "source"],
                condition=Q(superseded_at__isnull=True),
                name="snapshot_unique_board_date_source",
            ),
            models.UniqueConstraint(
                fields=["leaderboard", "content_hash"],
                condition=Q(superseded_at__isnull=True),
                name="snapshot_unique_content",
            ),
            models.CheckConstraint(condition=Q(row_count__gt=0), name="snapshot_has_rows"),
        ]
        indexes = [
            # "As of" look-ups: the newest snapshot of a board on or before a date.
            models.Index(fields=["leaderboard", "-published_on"], name="snapshot_board_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.leaderboard_id} {self.published_on} ({self.source})"


class Entry(models.Model):
    """One model's row in a snapshot: upstream's numbers plus the raw strings it used."""

    # No index of their own: entry_unique_model (snapshot, model) serves look-ups by snapshot
    # and entry_model_rank_idx (model, snapshot) by model; two more indexes were a third
    # of the table's size (docs/decisions.md).
    snapshot = models.ForeignKey(
        Snapshot, on_delete=models.CASCADE, related_name="entries", db_index=False
    )
    model = models.ForeignKey(
        AIModel, on_delete=models.PROTECT, related_name="entries", db_index=False
    )
    rank = models.PositiveIntegerField(help_text=_("Plain position by score, 1…n."))
    upstream_rank = models.PositiveIntegerField(null=True, blank=True)
    rank_upper = models.PositiveIntegerField(help_text=_("Best rank in the spread."))
    rank_lower = models.PositiveIntegerField(help_text=_("Worst rank in the spread."))
    score = models.FloatField()
    rating_lower = models.FloatField(null=True, blank=True)
    rating_upper = models.FloatField(null=True, blank=True)
    votes = models.PositiveIntegerField(null=True, blank=True)
    preliminary = models.BooleanField(null=True, blank=True)
    raw_model = models.CharField(max_length=300)
    raw_organization = models.CharField(max_length=200, blank=True)
    raw_license = models.CharField(max_length=200, blank=True)
    # What upstream printed beside the score, where the source carries it (2026 layouts).
    price_input = models.DecimalField(
        max_digits=10,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("Upstream's price, US$ per million input tokens."),
    )
    price_output = models.DecimalField(
        max_digits=10,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("Upstream's price, US$ per million output tokens."),
    )
    context_tokens = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("Upstream's context window, in tokens.")
    )

    class Meta:
        ordering = ["rank"]
        verbose_name_plural = _("entries")
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "model"], name="entry_unique_model"),
            models.UniqueConstraint(fields=["snapshot", "rank"], name="entry_unique_rank"),
            models.CheckConstraint(condition=Q(rank__gte=1), name="entry_rank_positive"),
            models.CheckConstraint(
                condition=Q(rank_upper__gte=1) & Q(rank_upper__lte=F("rank_lower")),
                name="entry_spread_ordered",
            ),
            models.CheckConstraint(
                condition=Q(rating_lower__isnull=True) | Q(rating_lower__lte=F("score")),
                name="entry_lower_bound_below_score",
            ),
            models.CheckConstraint(
                condition=Q(rating_upper__isnull=True) | Q(rating_upper__gte=F("score")),
                name="entry_upper_bound_above_score",
            ),
        ]
        indexes = [
            # One model's entries across snapshots, without touching other models' rows: the
            # fallback of its history (the history blocks hold it), merges, the organisation
            # page, whose best ranks per snapshot read this index alone on PostgreSQL (the
            # INCLUDE). It once carried every field the model page read; since the blocks,
            # that was 150 MB per million entries for a read that is rarely taken
            # (docs/decisions.md). SQLite keeps the plain two-column index.
            models.Index(
                fields=["model", "snapshot"], include=["rank"], name="entry_model_rank_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.rank} {self.raw_model}"

    @property
    def has_price(self) -> bool:
        return self.price_input is not None or self.price_output is not None


class HistoryBuild(models.Model):
    """The history read model of one board: which of its timelines its blocks were built from.

    ``history_blocks`` rebuilds a board's blocks, all at once, when its timeline (the
    snapshots that stand for its dates) no longer has this fingerprint; a write that changes
    entries without changing the timeline (a merge, an entry edited in the admin) blanks it.
    Until then readers take from the entries what the blocks do not cover: the snapshots an
    import appended (the timeline's first ``length`` still have the fingerprint), or all."""

    leaderboard = models.OneToOneField(
        Leaderboard, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    fingerprint = models.CharField(max_length=32, blank=True)
    length = models.PositiveIntegerField(
        default=0, help_text=_("Snapshots on the timeline the blocks were built from.")
    )
    built_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.leaderboard_id} {self.fingerprint or 'stale'}"


class HistoryBlock(models.Model):
    """One model's points on one board, packed (``packing``), with the names and the newest
    price it had there: what the model page and its API read instead of thousands of entries.
    A model with no entry on the board's timeline has no block."""

    build = models.ForeignKey(HistoryBuild, on_delete=models.CASCADE, related_name="blocks")
    # No index of its own: historyblock_unique (model, build) serves look-ups by model.
    model = models.ForeignKey(AIModel, on_delete=models.CASCADE, related_name="+", db_index=False)
    points = models.BinaryField()
    names = models.JSONField(default=list)
    price = models.JSONField(null=True, help_text=_("[day, input, output, context] or null."))
    # The points' chart columns as JSON text (charts.ChartText): the model page sends them as
    # they are, where encoding years of floats was most of its render. Empty: encode again.
    charts = models.TextField(blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["model", "build"], name="historyblock_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.model_id} on {self.build_id}"


class ImportClaim(models.Model):
    """A lease on one import key (a source or a board): at most one import holds it at a time.

    Taken with a conditional UPDATE (or an INSERT for a new key), which is atomic on SQLite and
    PostgreSQL alike; an expired lease can be taken over, so a killed worker blocks nobody.
    """

    key = models.CharField(max_length=120, unique=True)
    token = models.CharField(max_length=32)
    expires_at = models.DateTimeField()
    run = models.ForeignKey(
        ImportRun,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The run holding the lease: its heartbeat renews it."),
    )

    def __str__(self) -> str:
        return f"{self.key} until {self.expires_at:%F %T}"


class ContentVersion(models.Model):
    """One row counting changes to what public pages show (imports and curation).

    Page and export caches are keyed by it, so any change anywhere is visible at once in every
    process; reading it is one cheap query.
    """

    version = models.PositiveBigIntegerField(default=1)
    changed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"v{self.version} @ {self.changed_at:%F %T}"


class Heartbeat(models.Model):
    """Last time each periodic process proved it runs (beat → broker → worker → database)."""

    name = models.CharField(max_length=60, unique=True)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} @ {self.seen_at:%F %T}"


class FreshnessAlert(models.Model):
    """One incident of a stale board or a failing source (``leaderboard/freshness.py``).

    Mailed to ADMINS once when it opens; closed (``resolved_at``) when the problem clears, so
    the next occurrence is a new incident and mails again. At most one open alert per key.
    """

    key = models.CharField(max_length=200, help_text=_("stale:<board> or failing:<source>."))
    detail = models.TextField(blank=True)
    opened_at = models.DateTimeField()
    mailed_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                condition=Q(resolved_at__isnull=True),
                name="freshnessalert_one_open_per_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} since {self.opened_at:%F %T}"
