"""The console's URLs, under /console on the gateway's port. Templates build
links with url(name)."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from bot.console import activity_views, dashboard_views, handoff_views, notice_views, signup_views, sse, views
from bot.console.inbox import inbox_decide, inbox_page
from bot.console.review_views import review, tags
from bot.console.tryit import try_page, try_send

STATIC = Path(__file__).parent / "static"


def setup_routes(app: web.Application, prefix: str = "/console") -> None:
    member = prefix + "/conversations/{channel}/{user_id}"
    add_get, add_post = app.router.add_get, app.router.add_post
    add_get(prefix + "/", dashboard_views.home, name="home")  # the dashboard is the start page
    add_get(prefix + "/login", views.login_page, name="login")
    add_post(prefix + "/login", views.login_submit)
    add_post(prefix + "/logout", views.logout, name="logout")
    add_get(prefix + "/conversations", views.conversations, name="conversations")
    add_get(member, views.transcript, name="transcript")
    add_post(member + "/reveal", views.transcript_reveal, name="transcript_reveal")
    add_post(member + "/takeover", views.take_over, name="take_over")
    add_post(member + "/handback", views.hand_back, name="hand_back")
    add_post(member + "/reply", views.reply, name="reply")
    add_post(member + "/resolve", handoff_views.resolve, name="handoff_resolve")
    add_get(prefix + "/handoffs", handoff_views.handoffs, name="handoffs")
    add_post(member + "/review", review, name="review")
    add_post(member + "/tags", tags, name="tags")
    add_get(prefix + "/inbox", inbox_page, name="inbox")
    add_post(prefix + "/inbox", inbox_decide, name="inbox_decide")
    add_get(prefix + "/events", sse.events, name="events")
    add_get(prefix + "/dashboard", dashboard_views.dashboard, name="dashboard")
    activity = prefix + "/activities/{activity_id:\\d+}"
    add_get(prefix + "/activities", activity_views.activities, name="activities")
    add_get(prefix + "/activities/new", activity_views.activity_new, name="activity_new")
    add_post(prefix + "/activities/new", activity_views.activity_create)
    add_get(activity, signup_views.signups, name="signups")
    add_post(activity + "/reveal", signup_views.signups_reveal, name="signups_reveal")
    add_post(activity + "/organisers", signup_views.signups_organisers, name="signups_organisers")
    add_post(activity + "/export.{fmt}", signup_views.export_signups, name="export")
    signup = activity + "/signups/{reference:[^/]{1,40}}"
    add_post(activity + "/signups", signup_views.signup_add, name="signup_add")
    add_get(signup + "/edit", signup_views.signup_edit, name="signup_edit")
    add_post(signup + "/edit", signup_views.signup_update)
    add_post(signup + "/cancel", signup_views.signup_cancel, name="signup_cancel")
    add_get(activity + "/edit", activity_views.activity_edit, name="activity_edit")
    add_post(activity + "/edit", activity_views.activity_update)
    add_post(activity + "/release", activity_views.activity_release, name="activity_release")
    add_post(activity + "/milestones", activity_views.milestone_add, name="milestone_add")
    add_post(activity + "/milestones/{milestone_id:\\d+}", activity_views.milestone_update, name="milestone_update")
    add_post(activity + "/milestones/{milestone_id:\\d+}/delete", activity_views.milestone_remove,
             name="milestone_remove")
    add_get(prefix + "/upload", activity_views.upload_page, name="upload")
    add_post(prefix + "/upload", activity_views.upload_submit)
    notice = prefix + "/notices/{draft_id:\\d+}"
    add_get(prefix + "/notices", notice_views.notices, name="notices")
    add_get(notice, notice_views.notice_review, name="notice_review")
    add_post(notice, notice_views.notice_submit)
    add_post(notice + "/withdraw", notice_views.notice_withdraw, name="notice_withdraw")
    add_get(prefix + "/admin/audit", views.audit_log, name="audit")
    add_get(prefix + "/admin/health", views.health, name="health")
    add_get(prefix + "/admin/users", views.users, name="users")
    add_post(prefix + "/admin/users", views.users_create)
    add_post(prefix + "/admin/users/unlock", views.users_unlock, name="users_unlock")
    add_post(prefix + "/admin/users/change", views.users_change, name="users_change")
    add_get(prefix + "/try", try_page, name="tryit")
    add_post(prefix + "/try", try_send, name="tryit_send")
    app.router.add_static(prefix + "/static", STATIC, name="static")
