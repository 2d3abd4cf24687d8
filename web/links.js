// The Account tab's Upload links: create a link others send files through, see what each link
// received, copy it, revoke it. Kept apart from app.js; it shares only the session app.js keeps
// in localStorage.
"use strict";

(() => {
  const $ = (selector) => document.querySelector(selector);
  const token = () => localStorage.getItem("fileshare.token");

  function show(text, kind) {
    const notice = $("#notice");
    notice.textContent = text;
    notice.className = `notice ${kind}`;
    notice.hidden = false;
  }

  async function call(method, path, json) {
    const headers = { Accept: "application/json", Authorization: `Bearer ${token()}` };
    if (json !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(path, {
      method, headers, cache: "no-store", body: json === undefined ? undefined : JSON.stringify(json),
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(body.message || `HTTP ${response.status}`);
    return body;
  }

  const mib = (bytes) => `${(bytes / 1048576).toFixed(bytes < 10485760 ? 1 : 0)} MiB`;

  function render(link) {
    const item = document.createElement("li");
    item.className = "webhook upload-link";
    item.dataset.id = link.id;
    const url = document.createElement("p");
    url.className = "webhook-url";
    url.textContent = link.upload_url;
    const facts = document.createElement("p");
    facts.className = "muted";
    facts.textContent = `${link.files_received} of ${link.max_files} files, ${mib(link.bytes_received)} of ${mib(link.max_bytes)}`
      + `${link.password ? " · password" : ""} · expires ${new Date(link.expires_at).toLocaleString()}`;
    const row = document.createElement("div");
    row.className = "row";
    const copy = document.createElement("button");
    copy.type = "button";
    copy.textContent = "Copy link";
    copy.addEventListener("click", () => navigator.clipboard.writeText(link.upload_url).then(
      () => { copy.textContent = "Copied"; }, () => {}));
    const revoke = document.createElement("button");
    revoke.type = "button";
    revoke.className = "danger";
    revoke.textContent = "Revoke";
    revoke.addEventListener("click", async () => {
      try {
        await call("DELETE", `/api/reverse_shares/${encodeURIComponent(link.id)}`);
        item.remove();
        show("Upload link revoked: it takes no more files.", "success");
      } catch (error) {
        show(error.message, "error");
      }
    });
    row.append(copy, revoke);
    item.append(url, facts, row);
    return item;
  }

  async function load() {
    if (!token()) return;
    try {
      const { data } = await call("GET", "/api/reverse_shares");
      $("#link-list").replaceChildren(...data.map(render));
    } catch (error) {
      show(error.message, "error");
    }
  }

  async function create(event) {
    event.preventDefault();
    const request = {
      max_files: Number($("#link-files").value),
      max_bytes: Math.round(Number($("#link-mib").value) * 1048576),
      expires_in: Number($("#link-expires").value),
    };
    if ($("#upload-link-password").value) request.password = $("#upload-link-password").value;
    try {
      const link = await call("POST", "/api/reverse_shares", request);
      $("#link-list").append(render(link));
      $("#upload-link-password").value = "";
      show("Upload link created: give it to whoever should send you files.", "success");
    } catch (error) {
      show(error.message, "error");
    }
  }

  $("#link-form").addEventListener("submit", create);
  $("#tab-account").addEventListener("click", load);
  if ($("#tab-account").getAttribute("aria-selected") === "true") load();
})();
