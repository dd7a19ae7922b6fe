"""Celery entry points: thin, each loads what it needs and calls one service."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(acks_late=True)  # idempotent: a redelivery only moves the timestamp
def record_heartbeat(name: str = "beat") -> None:
    services.record_heartbeat(name=name)
