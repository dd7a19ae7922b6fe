"""Writes: every function that changes several rows, talks to the network or must be idempotent.

Views, tasks and management commands are thin entry points into these modules.
"""
