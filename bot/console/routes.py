"""The console's URLs, under /console on the gateway's port. Templates build
links with url(name)."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from bot.console import sse, views

STATIC = Path(__file__).parent / "static"


def setup_routes(app: web.Application, prefix: str = "/console") -> None:
    member = prefix + "/conversations/{channel}/{user_id}"
    add_get, add_post = app.router.add_get, app.router.add_post
    add_get(prefix + "/", views.home, name="home")
    add_get(prefix + "/login", views.login_page, name="login")
    add_post(prefix + "/login", views.login_submit)
    add_post(prefix + "/logout", views.logout, name="logout")
    add_get(prefix + "/conversations", views.conversations, name="conversations")
    add_get(member, views.transcript, name="transcript")
    add_post(member + "/takeover", views.take_over, name="take_over")
    add_post(member + "/handback", views.hand_back, name="hand_back")
    add_post(member + "/reply", views.reply, name="reply")
    add_get(prefix + "/events", sse.events, name="events")
    add_get(prefix + "/activities", views.activities, name="activities")
    add_get(prefix + "/activities/{activity_id}", views.signups, name="signups")
    add_get(prefix + "/activities/{activity_id}/export.{fmt}", views.export_signups, name="export")
    add_get(prefix + "/admin/audit", views.audit_log, name="audit")
    add_get(prefix + "/admin/users", views.users, name="users")
    add_post(prefix + "/admin/users", views.users_create)
    add_post(prefix + "/admin/users/unlock", views.users_unlock, name="users_unlock")
    app.router.add_static(prefix + "/static", STATIC, name="static")
