// The share-link page of a limited file: once Download is pressed, say what became of the link.
// The POST answers with the file as an attachment, so the page stays; without this it would
// still offer a button that no longer works.
"use strict";

document.querySelector("form").addEventListener("submit", () => {
  // After the submission has left: changing the button first could cancel it.
  setTimeout(() => {
    const left = document.getElementById("file-left");
    const notice = document.getElementById("download-notice");
    const button = document.getElementById("download-button");
    const before = Number.parseInt(left.textContent, 10);
    if (!Number.isFinite(before)) {
      notice.textContent = "Your download has started.";
      return;
    }
    const now = Math.max(0, before - 1);
    left.textContent = String(now);
    if (now === 0) {
      notice.textContent = "Your download has started. This link is now used up: it will not work again.";
      button.disabled = true;
      button.textContent = "Link used";
    } else {
      notice.textContent = `Your download has started. This link works ${now} more time${now === 1 ? "" : "s"}.`;
    }
  }, 0);
});
