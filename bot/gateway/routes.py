"""The gateway's URLs."""

from __future__ import annotations

from aiohttp import web

from bot.gateway import views


def setup_routes(app: web.Application) -> None:
    app.router.add_get("/healthz", views.healthz)
    app.router.add_get("/readyz", views.readyz)
    # 公众号 (Official Account): 服务器地址(URL) = https://<host>/wechat
    app.router.add_get("/wechat", views.wechat_verify)
    app.router.add_post("/wechat", views.wechat_receive)
    # 企业微信 self-built app: 接收消息 URL = https://<host>/wecom
    app.router.add_get("/wecom", views.wecom_verify)
    app.router.add_post("/wecom", views.wecom_receive)
