// The staff console's only script: live updates and confirmations. Served from
// /console/static (no CDN); the page's Content-Security-Policy allows no inline script.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // A live part of a page (data-live: the event stream, data-fragment: where to
  // fetch the part again) is reloaded whenever new messages are logged.
  for (const part of document.querySelectorAll("[data-live]")) {
    const stream = new EventSource(part.dataset.live);
    let busy = false;
    stream.addEventListener("changed", async () => {
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
    });
  }
  // Buttons that change what a member experiences ask first.
  for (const button of document.querySelectorAll("button[data-confirm]")) {
    button.addEventListener("click", (event) => {
      if (!window.confirm(button.dataset.confirm)) event.preventDefault();
    });
  }
});
