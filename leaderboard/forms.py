"""Forms for the admin's import workflows: uploading a payload and force-publishing a run."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

from leaderboard.boards import BoardKey

from . import sources
from .services.importing import ImportOptions

AUTO_FORMAT = ""
MIN_FORCE_REASON_WORDS = 3


def format_choices() -> list[tuple[str, StrOrPromise]]:
    return [(AUTO_FORMAT, _("Detect from the file")), *((name, name) for name in sources.names())]


class UploadImportForm(forms.Form):
    """A file to import onto one board; ``hint`` is the board once the form is valid."""

    file = forms.FileField(help_text=_("Any format the importer reads; nothing is unpickled."))
    board = forms.CharField(
        initial="text/overall",
        max_length=120,
        help_text=_(
            "ARENA/CATEGORY, e.g. text/overall or text/overall-no-style-control; used when "
            "the file does not say which board it is."
        ),
    )
    format = forms.ChoiceField(choices=format_choices, required=False)
    published_on = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_(
            "Used when the file carries no date of its own; without it, a date in the file "
            "name (YYYYMMDD or YYYY-MM-DD) is used, and a file dated by neither is rejected."
        ),
    )
    dry_run = forms.BooleanField(
        required=False,
        help_text=_(
            "Parse and validate only, here and now: no import run, no snapshot, nothing "
            "stored. Otherwise the file is queued and the worker imports it."
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = settings.ARENA_FETCH_MAX_BYTES
        # The same cap as a fetch: an upload must not be a way around it.
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size)s; the limit is %(limit)s."),
                params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
                code="too_large",
            )
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."), code="empty")
        return upload

    def clean_board(self) -> str:
        board = self.cleaned_data["board"].strip()
        try:
            BoardKey.parse(board)
        except ValueError as error:
            raise forms.ValidationError(str(error), code="bad_board") from None
        return board

    @property
    def hint(self) -> BoardKey:
        return BoardKey.parse(self.cleaned_data["board"])

    @property
    def published_on_date(self) -> dt.date | None:
        return self.cleaned_data.get("published_on")

    def import_options(self, *, trigger: str) -> ImportOptions:
        """What the valid form asks of the import."""
        return ImportOptions(
            trigger=trigger,
            board=self.hint,
            format_name=self.cleaned_data["format"] or None,
            published_on=self.published_on_date,
            dry_run=self.cleaned_data["dry_run"],
        )


class ForcePublishForm(forms.Form):
    """Why staff publish past the gate: kept on the new run for whoever reads it later."""

    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        max_length=2000,
        help_text=_("Say why the data is right despite the warnings (a sentence, not a word)."),
    )

    def clean_reason(self) -> str:
        reason = " ".join(self.cleaned_data["reason"].split())
        # Chinese and Japanese write without spaces: there, count characters instead of words.
        words = len(reason.split()) if reason.isascii() else len(reason.replace(" ", "")) // 2
        if words < MIN_FORCE_REASON_WORDS:
            raise forms.ValidationError(
                _("Give a reason of at least %(words)d words."),
                params={"words": MIN_FORCE_REASON_WORDS},
                code="too_short",
            )
        return reason
