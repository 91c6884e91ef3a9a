// “试一试” (/console/try): sends the chat box's message without leaving the page and
// shows what came of it. The conversation itself is the server's (the message log),
// reloaded after each send and, by console.js, whenever the live-update stream says
// that something new was logged (late replies, staff replies).
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("tryit-form");
  const chat = document.getElementById("tryit-chat");
  const status = document.getElementById("tryit-status");
  if (!form || !chat || !status) return;
  const box = form.querySelector("textarea");
  const button = form.querySelector("button[type=submit]");
  const token = form.querySelector("input[name=_csrf]").value;

  const toBottom = () => { chat.scrollTop = chat.scrollHeight; };
  new MutationObserver(toBottom).observe(chat, { childList: true });
  toBottom();

  const say = (text, isError) => {
    status.textContent = text || "";
    status.classList.toggle("error", Boolean(isError));
  };

  const reload = async () => {
    const response = await fetch(chat.dataset.fragment, { credentials: "same-origin" });
    if (response.ok && !response.redirected) chat.innerHTML = await response.text();
  };

  const pending = (text) => {
    const bubble = document.createElement("div");
    bubble.className = "bubble mine sending";
    const body = document.createElement("div");
    body.className = "text";
    body.textContent = text;  // never innerHTML: it is what the person typed
    const meta = document.createElement("div");
    meta.className = "meta";
    meta.textContent = "发送中…";
    bubble.append(body, meta);
    const empty = chat.querySelector(".empty");
    if (empty) empty.remove();
    chat.append(bubble);
    return bubble;
  };

  const explain = async (response) => {
    if (response.redirected) return ["登录已过期，请刷新页面重新登录。", true];
    if (response.status === 403) return ["页面已过期，请刷新页面后重试。", true];
    let data = null;
    if ((response.headers.get("Content-Type") || "").includes("application/json")) data = await response.json();
    if (!data) return [`工作台返回了错误（HTTP ${response.status}），请稍后重试。`, true];
    if (!data.ok) return [data.error, true];
    if (data.notice) return [data.notice, data.status === "failed"];
    if (data.reply !== null) return ["机器人已通过被动回复（微信请求的应答）作答。", false];
    return ["网关已应答 “success”，没有被动回复。", false];
  };

  const send = async () => {
    const text = box.value.trim();
    if (!text || button.disabled) return;
    button.disabled = true;
    say("正在发送到 /wechat …");
    const bubble = pending(text);
    try {
      const response = await fetch(form.action, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Accept": "application/json", "X-CSRF-Token": token },
        body: new URLSearchParams(new FormData(form)),
      });
      const [message, isError] = await explain(response);
      say(message, isError);
      if (response.ok) box.value = "";
      bubble.remove();
      await reload().catch(() => {});  // the live updates bring it later
    } catch (error) {
      bubble.remove();
      say("无法连接工作台（网关可能已停止），请确认服务正在运行后重试。", true);
    } finally {
      button.disabled = false;
      box.focus();
    }
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send();
  });
  box.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();  // Enter sends; Shift+Enter and the IME's Enter do not
      send();
    }
  });
});
