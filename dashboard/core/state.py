"""What a running app holds for its views and callbacks, on ``app.extensions``."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app

from dashboard.core.cache import CachedLineage
from lineage.config import Settings

EXTENSION = "sagemaker_lineage"


@dataclass(frozen=True)
class AppState:
    settings: Settings
    cached: CachedLineage
    regions: tuple[str, ...]  # what /regions offers and region=all means
    sandbox: bool


def install_state(server: Flask, app_state: AppState) -> None:
    server.extensions[EXTENSION] = app_state


def state(server: Flask | None = None) -> AppState:
    """The app's state (of the current request's app unless ``server`` is given)."""
    app_state: AppState = (server or current_app).extensions[EXTENSION]
    return app_state
