"""The teacher's live class dashboard: `GET /admin` (admin key), students' exercise
progress reported to `POST /course/v1/progress` (student key), CSV exports.

`mount_dashboard(app, state)` is the one call that adds it to the server.
"""
from __future__ import annotations

from .routes import CourseRoutes, Dashboard

__all__ = ["Dashboard", "mount_dashboard"]


def mount_dashboard(app, state) -> Dashboard:
    """Put the dashboard's routes in front of the API's gate (see routes.py) and return it."""
    from ...exercises import exercise_ids

    dashboard = Dashboard(state, exercise_ids())
    app.add_middleware(CourseRoutes, dashboard=dashboard)
    state.dashboard = dashboard
    return dashboard
