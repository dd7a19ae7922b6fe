"""The leaderboard table: every column of the seed page, each sortable by a plain link."""

from __future__ import annotations

import django_tables2 as tables
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from .exports import format_interval
from .models import Entry


class BoardTable(tables.Table):
    rank = tables.Column(verbose_name=_("Rank"), attrs={"td": {"class": "num"}})
    spread = tables.Column(
        accessor="rank_upper",
        verbose_name=_("Rank spread"),
        order_by=("rank_upper", "rank_lower"),
        attrs={"td": {"class": "num spread"}},
    )
    model = tables.Column(
        accessor="model__name",
        verbose_name=_("Model"),
        attrs={"th": {"class": "sticky"}, "td": {"class": "sticky model"}},
    )
    score = tables.Column(verbose_name=_("Score"), attrs={"td": {"class": "num"}})
    interval = tables.Column(
        accessor="ci_width",
        verbose_name=_("95% CI"),
        order_by=("ci_width",),
        empty_values=(),
        attrs={"td": {"class": "num"}},
    )
    votes = tables.Column(verbose_name=_("Votes"), attrs={"td": {"class": "num"}})
    organization = tables.Column(
        accessor="model__organization__name", verbose_name=_("Organization"), empty_values=()
    )
    license = tables.Column(
        accessor="model__license__name", verbose_name=_("License"), empty_values=()
    )

    class Meta:
        model = Entry
        fields: tuple[str, ...] = ()
        sequence = (
            "rank", "spread", "model", "score", "interval", "votes", "organization", "license",
        )  # fmt: skip
        order_by = "rank"
        template_name = "leaderboard/table.html"
        attrs = {"class": "board"}
        empty_text = _("No model matches these filters.")

    def render_spread(self, record: Entry) -> str:
        return f"{record.rank_upper}◄─►{record.rank_lower}"

    def render_model(self, record: Entry) -> SafeString:
        model = record.model
        if model.url.startswith(("https://", "http://")):
            return format_html(
                '<a href="{}" rel="nofollow noopener" class="external">{}</a>',
                model.url,
                model.name,
            )
        return format_html("{}", model.name)

    def render_score(self, record: Entry) -> SafeString:
        if getattr(record, "is_preliminary", None):
            return format_html(
                '{} <span class="badge">{}</span>', f"{record.score:.0f}", _("Preliminary")
            )
        return format_html("{}", f"{record.score:.0f}")

    def render_interval(self, record: Entry) -> str:
        return format_interval(record.score, record.rating_lower, record.rating_upper)

    def render_votes(self, value: int) -> str:
        return intcomma(value)

    def render_organization(self, record: Entry) -> str:
        organization = record.model.organization
        return organization.name if organization else record.raw_organization

    def render_license(self, record: Entry) -> SafeString:
        license_ = record.model.license
        if license_ is None or license_.kind == license_.Kind.UNKNOWN:
            return format_html("{}", license_.name if license_ else record.raw_license)
        return format_html(
            '{} <span class="kind kind-{}">{}</span>',
            license_.name,
            license_.kind,
            license_.get_kind_display(),
        )
