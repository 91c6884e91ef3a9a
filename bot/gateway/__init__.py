"""The WeChat gateway: 公众号 (/wechat) and 企业微信 (/wecom) in front of Rasa.

    python -m bot.gateway          # port GATEWAY_PORT (8080); `make run` starts it

`create_app(settings)` builds the aiohttp application (see app.py); docs/wechat.md
explains the setup in the WeChat admin pages and every environment variable.
"""
