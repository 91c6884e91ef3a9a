"""活动与报名: the activity list (search, filters, pages), creating and editing activities
(their date and hours, milestones), and uploading a notice. An activity's sign-up list,
phone sign-ups and exports are signup_views'.

Editors and admins edit activities and upload notices (services.accounts.RIGHTS);
every change is written to the audit log in the same transaction
(services.activity_admin). A refused form is shown again, status 400, with what was
typed and one Chinese message per field.

An uploaded notice is read and extracted as `python -m services.ingest` does it
(services.ingest.loader), in a thread, but not published: it becomes a draft
(services.ingest.drafts) and staff are sent to its review page (notice_views), where
they correct and publish it. 只预览 runs the whole ingestion and rolls it back. The
gateway reads at most 64 KiB of a body into memory; the upload's multipart form is
instead streamed, part by part, once the login and CSRF checks have passed
(auth.py), the file into a temporary file that stops at the notice limit.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from aiohttp import BodyPartReader, web
from multidict import MultiDict
from sqlalchemy.exc import SQLAlchemyError

from bot.console import keys
from bot.console.auth import multipart_after_csrf, read_field, requires
from bot.console.pages import audit, current_user, flash, render
from bot.console.signup_form import STATUS_NAMES
from bot.gateway import keys as gateway_keys
from services.accounts import Right
from services.activity_admin import (
    LABELS,
    MAX_YEAR,
    MIN_YEAR,
    PRECISIONS,
    ActivityAdminService,
    ActivityInput,
    FormErrors,
    MilestoneInput,
    NotFound,
)
from services.ingest.drafts import DraftService
from services.ingest.loader import FileReport, NoticeLoader, describe_activity, notice_yaml, read_and_extract
from services.ingest.readers import SUPPORTED, UnreadableNotice
from services.knowledge import KnowledgeFileError
from services.settings import load_settings
from services.signup_lists import PAST, STATUSES, UPCOMING, ActivityFilter

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
NOTICE_MAX_BYTES = 10 * 1024 * 1024
CHUNK_BYTES = 64 * 1024
ORIGINS = {"staff": "工作人员录入", "notice": "上传的通知", "reviewed": "知识文件（已审核）"}
UPLOAD_STATUS = {
    "stored": "已存入",
    "updated": "已更新（同名通知的新版本）",
    "unchanged": "未变化：与上次上传的内容相同，未写入",
    "reviewed": "这份通知已有人工审核的知识文件，以知识文件为准，未写入",
    "would store": "预览：以下内容将会存入（本次未写入）",
}
UPLOAD_ERRORS = {"too_large": f"文件太大：通知文件不能超过 {NOTICE_MAX_BYTES // (1024 * 1024)} MB。"}


def today() -> dt.date:
    """Shanghai's date, or ASSISTANT_TODAY (tests, demos), as the assistant sees it."""
    return load_settings().today()


def _admin(request: web.Request) -> ActivityAdminService:
    return ActivityAdminService(request.config_dict[gateway_keys.SESSIONS], today)


def _activity_id(request: web.Request, name: str = "activity_id") -> int:
    try:
        return int(request.match_info[name])
    except ValueError as error:
        raise web.HTTPNotFound() from error


def _url(request: web.Request, name: str, **parts: Any) -> str:
    return str(request.app.router[name].url_for(**{key: str(value) for key, value in parts.items()}))


# -- the list ----------------------------------------------------------------------------------

# 活动时间 as the list's filter names it (报名状态: signup_form.STATUS_NAMES).
WHEN_NAMES = {UPCOMING: "未结束（含进行中）", PAST: "已结束"}


def activity_filter(request: web.Request, own: frozenset[int] | None = None) -> ActivityFilter:
    """The list's filters from the query string (unknown values are dropped, not errors)."""
    query = request.query
    try:
        page = max(int(query.get("page") or 1), 1)
    except ValueError:
        page = 1
    year = query.get("year") or ""
    status = next((state for state in STATUSES if state.value == query.get("status")), None)
    when = query.get("when") if query.get("when") in (UPCOMING, PAST) else None
    return ActivityFilter(query=(query.get("q") or "").strip()[:100] or None,
                          year=int(year) if year.isdigit() and MIN_YEAR <= int(year) <= MAX_YEAR else None,
                          status=status, when=when, only_ids=own if query.get("mine") == "1" else None, page=page)


def page_url(request: web.Request, page: int) -> str:
    """This list's URL on another page, every filter kept."""
    query = MultiDict((name, value) for name, value in request.query.items() if name != "page")
    query["page"] = str(page)
    return str(request.rel_url.with_query(query))


async def activities(request: web.Request) -> web.Response:
    """活动与报名: search (name, alias, place, theme), year, 报名状态, upcoming or past, the
    organiser's own (我负责的), 50 a page; the links keep the filters."""
    lists, user = request.app[keys.SIGNUP_LISTS], current_user(request)
    own = await asyncio.to_thread(request.app[keys.ACCOUNTS].organised, user.username) \
        if user.may(Right.EXPORT_OWN_SIGNUPS) and not user.may(Right.EXPORT_SIGNUPS) else None
    filters = activity_filter(request, own)
    found = await asyncio.to_thread(lists.find, filters)
    meta = await asyncio.to_thread(_admin(request).overview)
    return await render(request, "activities.html", {
        "page": found, "filters": filters, "meta": meta, "origins": ORIGINS, "own": own or frozenset(),
        "organiser": own is not None, "statuses": STATUS_NAMES, "whens": WHEN_NAMES,
        "previous_url": page_url(request, found.page - 1) if found.page > 1 else None,
        "next_url": page_url(request, found.page + 1) if found.has_next else None})


# -- creating and editing ------------------------------------------------------------------


async def _form_page(request: web.Request, form: ActivityInput, activity_id: int | None = None,
                     errors: dict[str, str] | None = None, milestone_forms: dict[str, MilestoneInput] | None = None,
                     milestone_errors: dict[str, dict[str, str]] | None = None, status: int = 200) -> web.Response:
    page = None
    if activity_id is not None:
        found = await asyncio.to_thread(_admin(request).page, activity_id)
        if found is None:
            raise web.HTTPNotFound()
        page = found[1]
    return await render(request, "activity_form.html", {
        "form": form, "page": page, "errors": errors or {}, "labels": LABELS, "precisions": PRECISIONS,
        "origins": ORIGINS, "milestone_forms": milestone_forms or {}, "milestone_errors": milestone_errors or {},
        "new_milestone": (milestone_forms or {}).get("new") or MilestoneInput(), "today": today()}, status=status)


@requires(Right.EDIT_ACTIVITIES)
async def activity_new(request: web.Request) -> web.Response:
    return await _form_page(request, ActivityInput())


@requires(Right.EDIT_ACTIVITIES)
async def activity_create(request: web.Request) -> web.Response:
    form = ActivityInput.from_mapping(await request.post())
    try:
        saved = await asyncio.to_thread(_admin(request).create, form, current_user(request).username)
    except FormErrors as error:
        return await _form_page(request, form, errors=error.errors, status=400)
    log.info("console: %s created activity %d", current_user(request).username, saved.id)
    await flash(request, "已创建活动，助手现在就能回答它。" + "".join(f" {note}" for note in saved.changes[1:]))
    raise web.HTTPFound(_url(request, "activity_edit", activity_id=saved.id))


@requires(Right.EDIT_ACTIVITIES)
async def activity_edit(request: web.Request) -> web.Response:
    found = await asyncio.to_thread(_admin(request).page, _activity_id(request))
    if found is None:
        raise web.HTTPNotFound()
    return await _form_page(request, found[0], found[1].id)


@requires(Right.EDIT_ACTIVITIES)
async def activity_update(request: web.Request) -> web.Response:
    activity_id = _activity_id(request)
    form = ActivityInput.from_mapping(await request.post())
    try:
        saved = await asyncio.to_thread(_admin(request).update, activity_id, form, current_user(request).username)
    except NotFound as error:
        raise web.HTTPNotFound() from error
    except FormErrors as error:
        return await _form_page(request, form, activity_id, errors=error.errors, status=400)
    await flash(request, "已保存：" + "；".join(saved.changes) if saved.changes else "没有修改。")
    raise web.HTTPFound(_url(request, "activity_edit", activity_id=activity_id))


@requires(Right.EDIT_ACTIVITIES)
async def activity_release(request: web.Request) -> web.Response:
    activity_id = _activity_id(request)
    try:
        await asyncio.to_thread(_admin(request).release, activity_id, current_user(request).username)
    except NotFound as error:
        raise web.HTTPNotFound() from error
    await flash(request, "知识文件或通知有新版本时将再次更新此活动（会覆盖在这里做的修改）。")
    raise web.HTTPFound(_url(request, "activity_edit", activity_id=activity_id))


@requires(Right.EDIT_ACTIVITIES)
async def milestone_add(request: web.Request) -> web.Response:
    return await _milestone_change(request, None)


@requires(Right.EDIT_ACTIVITIES)
async def milestone_update(request: web.Request) -> web.Response:
    return await _milestone_change(request, _activity_id(request, "milestone_id"))


async def _milestone_change(request: web.Request, milestone_id: int | None) -> web.Response:
    activity_id = _activity_id(request)
    form = MilestoneInput.from_mapping(await request.post())
    service, username = _admin(request), current_user(request).username
    try:
        if milestone_id is None:
            saved = await asyncio.to_thread(service.add_milestone, activity_id, form, username)
        else:
            saved = await asyncio.to_thread(service.update_milestone, activity_id, milestone_id, form, username)
    except NotFound as error:
        raise web.HTTPNotFound() from error
    except FormErrors as error:
        found = await asyncio.to_thread(service.page, activity_id)
        if found is None:
            raise web.HTTPNotFound() from error
        slot = "new" if milestone_id is None else str(milestone_id)
        return await _form_page(request, found[0], activity_id, milestone_forms={slot: form},
                                milestone_errors={slot: error.errors}, status=400)
    await flash(request, "；".join(saved.changes) if saved.changes else "没有修改。")
    raise web.HTTPFound(_url(request, "activity_edit", activity_id=activity_id) + "#milestones")


@requires(Right.EDIT_ACTIVITIES)
async def milestone_remove(request: web.Request) -> web.Response:
    activity_id = _activity_id(request)
    try:
        saved = await asyncio.to_thread(_admin(request).remove_milestone, activity_id,
                                        _activity_id(request, "milestone_id"), current_user(request).username)
    except NotFound as error:
        raise web.HTTPNotFound() from error
    await flash(request, "；".join(saved.changes))
    raise web.HTTPFound(_url(request, "activity_edit", activity_id=activity_id) + "#milestones")


# -- uploading a notice ---------------------------------------------------------------------


@dataclass
class UploadResult:
    file_name: str
    dry_run: bool
    error: str | None = None
    report: FileReport | None = None
    status_text: str = ""
    activities: list[str] = field(default_factory=list)  # what extraction found, one line each
    knowledge_yaml: str = ""  # a preview, in the knowledge-file shape
    stored_activities: list[tuple[int, str]] = field(default_factory=list)  # (id, name) to edit
    draft_id: int | None = None  # the draft to review (not a preview)
    replaced: bool = False  # the draft of a file of that name, read again


def safe_file_name(raw: str | None) -> str:
    """The uploaded file's own name (it becomes the document's source file and key), without
    any folder, control characters or more than 100 characters."""
    name = PurePosixPath((raw or "").replace("\\", "/")).name
    name = re.sub(r"[\x00-\x1f\x7f]", "", name).strip().lstrip(".")
    stem, suffix = Path(name).stem[:100], Path(name).suffix.lower()
    return f"{stem or 'notice'}{suffix}"


def unreadable_message(error: UnreadableNotice, suffix: str) -> str:
    """A Chinese reason for staff; the reader's own message names a temporary path."""
    reason = str(error)
    if "too large when unpacked" in reason:
        return "无法读取：这个文件解压后过大（可能是恶意构造的压缩文件），请另存或重新导出后再上传。"
    if "encrypted" in reason:
        return "无法读取：这个 PDF 已加密。请提供未加密的文件。"
    if "contains no text" in reason:
        return "无法读取：文件里没有可识别的文字（扫描件 PDF 需要先做文字识别）。"
    if "neither UTF-8 nor GB18030" in reason:
        return "无法读取：文本文件的编码无法识别，请另存为 UTF-8 编码后再上传。"
    if suffix == ".docx":
        return "无法读取：这个 Word 文件已损坏，或不是 .docx 格式（旧的 .doc 文件请在 Word 中另存为 .docx）。"
    if suffix == ".pdf":
        return "无法读取：这个 PDF 文件已损坏或格式不正确。"
    return "无法读取这个文件，请确认文件没有损坏。"


@dataclass
class UploadedFile:
    """The form's `notice` part, saved to a temporary file no larger than the limit + 1 byte."""

    name: str
    path: Path
    size: int

    @property
    def too_large(self) -> bool:
        return self.size > NOTICE_MAX_BYTES


async def _save(part: BodyPartReader, path: Path) -> int:
    """Stream the part to `path`; stop one byte past the notice limit (the rest is never kept)."""
    size = 0
    with path.open("wb") as out:
        while size <= NOTICE_MAX_BYTES and (chunk := await part.read_chunk(CHUNK_BYTES)):
            chunk = chunk[:NOTICE_MAX_BYTES + 1 - size]
            await asyncio.to_thread(out.write, chunk)
            size += len(chunk)
    return size


async def read_upload_form(request: web.Request, folder: Path) -> tuple[UploadedFile | None, bool]:
    """(the notice file, 只预览 ticked) from the streamed form."""
    reader = await multipart_after_csrf(request)
    upload: UploadedFile | None = None
    dry_run = False
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader):
            continue
        if part.name == "notice" and part.filename and upload is None:
            name = safe_file_name(part.filename)
            path = folder / name
            upload = UploadedFile(name, path, await _save(part, path))
            if upload.too_large:
                break  # what is left of the body is discarded by aiohttp, never stored
        elif part.name == "dry_run":
            dry_run = (await read_field(part, 16) or b"").strip() == b"1"
    return upload, dry_run


# What the upload form says of the files it takes.
_UPLOAD_FORM = {"supported": SUPPORTED, "max_mb": NOTICE_MAX_BYTES // (1024 * 1024)}


@requires(Right.PUBLISH_NOTICES)
async def upload_page(request: web.Request) -> web.Response:
    error = UPLOAD_ERRORS.get(request.query.get("error") or "")
    return await render(request, "upload.html", {**_UPLOAD_FORM, "result": None, "error": error})


@requires(Right.PUBLISH_NOTICES)
async def upload_submit(request: web.Request) -> web.Response:
    with tempfile.TemporaryDirectory(prefix="notice-") as folder:
        try:
            upload, dry_run = await read_upload_form(request, Path(folder))
        except (ValueError, AssertionError) as error:  # aiohttp's reader on a malformed form
            log.info("console: upload refused: malformed form (%s)", type(error).__name__)
            return await render(request, "upload.html", {**_UPLOAD_FORM, "result": None,
                                                         "error": "上传的内容不完整或格式不正确，请重新选择文件上传。"},
                                status=400)
        context: dict[str, Any] = {**_UPLOAD_FORM, "dry_run": dry_run}
        if upload is None:
            return await render(request, "upload.html", {**context, "result": None,
                                                         "error": "请选择要上传的通知文件。"}, status=400)
        result = await ingest_upload(request, upload, dry_run)
    name = upload.name
    if result.draft_id is not None:
        await audit(request, "notice_upload", name[:200],
                    f"草稿 {result.draft_id}" + ("（新版本）" if result.replaced else ""))
        await flash(request, ("已读出同名通知的新版本，" if result.replaced else "已读出通知，") +
                    "请核对下面的内容，修改后点击“发布”；发布前会员看不到它。")
        raise web.HTTPFound(str(request.app.router["notice_review"].url_for(draft_id=str(result.draft_id))))
    await audit(request, "notice_preview" if dry_run else "notice_upload", name[:200],
                result.error or f"{result.report.status if result.report else ''}；"
                                f"写入 {len(result.report.stored) if result.report else 0} 项")
    return await render(request, "upload.html", {**context, "result": result, "error": result.error},
                        status=400 if result.error else 200)


async def ingest_upload(request: web.Request, upload: UploadedFile, dry_run: bool) -> UploadResult:
    name, path = upload.name, upload.path
    result = UploadResult(file_name=name, dry_run=dry_run)
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED:
        result.error = (f"不支持 {suffix or '没有扩展名的'} 文件：请上传 .txt、.md、.docx 或 .pdf 格式的通知"
                        + ("（旧的 .doc 文件请在 Word 中另存为 .docx）" if suffix == ".doc" else "") + "。")
        return result
    sessions = request.config_dict[gateway_keys.SESSIONS]
    if upload.too_large:
        result.error = UPLOAD_ERRORS["too_large"]
        return result
    if upload.size == 0:
        result.error = "文件是空的，请重新选择。"
        return result
    try:
        if not dry_run:
            text, record = await asyncio.to_thread(read_and_extract, path)
            result.draft_id, result.replaced = await asyncio.to_thread(
                DraftService(sessions).create, name, text, record, current_user(request).username)
            log.info("console: %s uploaded %s as draft %d", current_user(request).username, name,
                     result.draft_id)
            return result
        report = await asyncio.to_thread(NoticeLoader(sessions).ingest, path, dry_run)
    except UnreadableNotice as error:
        log.info("console: upload %s unreadable: %s", name, error)
        result.error = unreadable_message(error, suffix) + "没有写入任何内容。"
        return result
    except (KnowledgeFileError, ValueError) as error:
        log.warning("console: upload %s not stored: %s", name, error)
        result.error = f"通知已读取，但无法存入，没有写入任何内容（{error}）。"
        return result
    except SQLAlchemyError as error:
        log.error("console: upload %s refused by the database: %s", name, type(error).__name__)
        result.error = "数据库拒绝了写入，没有写入任何内容。请稍后再试或联系管理员。"
        return result
    result.report = report
    result.status_text = UPLOAD_STATUS.get(report.status, report.status)
    if report.record is not None:
        result.activities = [describe_activity(activity) for activity in report.record.activities]
        if dry_run:
            result.knowledge_yaml = notice_yaml(report.record)
    log.info("console: %s uploaded %s: %s", current_user(request).username, name, report.status)
    return result
