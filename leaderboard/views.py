from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from . import selectors
from .models import Heartbeat


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "leaderboard/home.html", {"boards": selectors.boards_with_data()})


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers and the smoke test: database reachable, beat heartbeat age."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    heartbeats = {
        beat.name: round((timezone.now() - beat.seen_at).total_seconds())
        for beat in Heartbeat.objects.all()
    }
    return JsonResponse({"database": "ok", "heartbeat_age_seconds": heartbeats})
