"""Template filters of the history pages."""

from __future__ import annotations

from django import template

from leaderboard.history import Event, SnapshotChanges

register = template.Library()


@register.filter
def event_tag(snapshot: SnapshotChanges, event: Event) -> str:
    """The event's stable id (the Atom entry id), so a page entry and a feed entry match."""
    return snapshot.tag(event)
