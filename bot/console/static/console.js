// The staff console's only script: live updates, hand-off alerts and confirmations.
// Served from /console/static (no CDN); the page's Content-Security-Policy allows no inline script.
"use strict";

// The newest hand-off request this tab has alerted about (kept across its pages; every open
// tab alerts, so the one in view does: the browser shows one notification per tag).
const SEEN_KEY = "shqa-console-handoff-seen";
let audio = null;

function chime() {
  // A short two-tone chime, made here: no sound file to fetch.
  try {
    audio = audio || new (window.AudioContext || window.webkitAudioContext)();
    if (audio.state === "suspended") audio.resume();
    [880, 660].forEach((frequency, index) => {
      const oscillator = audio.createOscillator();
      const gain = audio.createGain();
      const start = audio.currentTime + index * 0.18;
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.15, start);
      gain.gain.exponentialRampToValueAtTime(0.001, start + 0.16);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start(start);
      oscillator.stop(start + 0.17);
    });
    document.body.dataset.handoffSound = audio.state;
  } catch (error) {
    document.body.dataset.handoffSound = "unavailable";
  }
}

function alertNewRequest(waiting) {
  const text = `有用户请求人工服务（等待中 ${waiting} 位）`;
  const box = document.getElementById("handoff-alert");
  if (box) {
    box.textContent = "";
    const link = document.createElement("a");
    link.href = document.body.dataset.handoffs;
    link.textContent = `${text}，点此查看`;
    box.appendChild(link);
    box.hidden = false;
  }
  document.body.dataset.handoffAlerts = String(Number(document.body.dataset.handoffAlerts || 0) + 1);
  chime();
  if ("Notification" in window && Notification.permission === "granted") {
    try {
      const note = new Notification("人工服务请求", { body: text, tag: "shqa-handoff" });
      note.onclick = () => { window.focus(); window.location.href = document.body.dataset.handoffs; };
    } catch (error) {
      // Some browsers allow notifications only from a service worker: the banner above remains.
    }
  }
}

function handoffChanged(state) {
  const badge = document.getElementById("handoff-count");
  if (badge) {
    badge.textContent = String(state.count);
    badge.hidden = state.count === 0;
  }
  const seen = window.sessionStorage.getItem(SEEN_KEY);
  if (seen === null || state.newest < Number(seen)) {
    window.sessionStorage.setItem(SEEN_KEY, String(state.newest));  // the first page: what waits is known
  } else if (state.newest > Number(seen)) {
    window.sessionStorage.setItem(SEEN_KEY, String(state.newest));
    alertNewRequest(state.waiting);
  }
}

function reloader(part) {
  // A live part of a page (data-fragment: where to fetch it again) is reloaded on news.
  let busy = false;
  return async () => {
    if (busy) return;
    busy = true;
    try {
      const response = await fetch(part.dataset.fragment, { credentials: "same-origin" });
      if (response.redirected || !response.ok) return;  // logged out: leave the page as it is
      part.innerHTML = await response.text();
      part.classList.add("updated");
      setTimeout(() => part.classList.remove("updated"), 800);
    } finally {
      busy = false;
    }
  };
}

document.addEventListener("DOMContentLoaded", () => {
  // One stream a page: the live part's (filtered to its member), else the plain one for the alerts.
  const part = document.querySelector("[data-live]");
  const url = part ? part.dataset.live : document.body.dataset.events;
  if (url) {
    const stream = new EventSource(url);
    const reload = part ? reloader(part) : null;
    if (reload) stream.addEventListener("changed", reload);
    stream.addEventListener("handoff", (event) => {
      handoffChanged(JSON.parse(event.data));
      if (reload && part.id === "live" && document.querySelector("table.queue")) reload();  // taken, resolved
    });
  }
  // The queue offers desktop notifications until they are allowed or refused; the click also
  // lets the page play its chime (browsers keep a page silent until someone clicks on it).
  const enable = document.getElementById("enable-alerts");
  if (enable && "Notification" in window && Notification.permission === "default") {
    enable.hidden = false;
    enable.addEventListener("click", async () => {
      chime();
      await Notification.requestPermission();
      enable.hidden = Notification.permission === "default";
    });
  }
  // Buttons that change what a member experiences ask first.
  document.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-confirm]");
    if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
  });
});
