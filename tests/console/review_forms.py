"""The review form as a browser posts it (tests/console/test_notice_review.py, test_upload.py)."""

from __future__ import annotations

from html.parser import HTMLParser


class _FormFields(HTMLParser):
    """The fields a browser would post from the review form (buttons left out)."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self._inside = False
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self._inside = "review-form" in (attributes.get("class") or "")
        if not self._inside:
            return
        name = attributes.get("name")
        if tag == "input" and name:
            self.fields[name] = attributes.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attributes:
            self.fields[self._select] = attributes.get("value") or ""

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._inside = False


def form_fields(page: str) -> dict[str, str]:
    parser = _FormFields()
    parser.feed(page)
    return parser.fields


async def review_page(console, path: str) -> str:
    response = await console.client.get(path)
    assert response.status == 200
    return await response.text()


async def submit(console, path: str, changes: dict[str, str] | None = None, action: str = "publish",
                 drop: tuple[str, ...] = ()):
    """Post the review form as the page has it, with `changes`, pressing `action`."""
    fields = form_fields(await review_page(console, path))
    fields.update(changes or {})
    for name in drop:
        fields.pop(name)
    button = {"remove": action.split(":")[1]} if action.startswith("remove:") else {"action": action}
    return await console.client.post(path, data={**fields, **button}, allow_redirects=False)
