// fileshare web page: plain JS, no framework, no build step. Talks only to this origin's API and,
// for large files, to the Blob Storage SAS URL the API hands out.
"use strict";

const DIRECT_THRESHOLD = 16 * 1024 * 1024; // larger files go straight to Blob Storage
const PARALLEL_BLOCKS = 4;
const BLOCK_ATTEMPTS = 3;
const SAS_RENEWALS = 3; // per block: storage refusing a just-renewed SAS is not about its expiry
const SPEED_WINDOW_MS = 2000;
const TOKEN_KEY = "fileshare.token";
const USER_KEY = "fileshare.username";
const UPLOADS_KEY = "fileshare.uploads";
const DEFAULT_RETRY_AFTER = 5; // seconds, when a 429 names none

// ---------------------------------------------------------------------------------------------
// Small helpers

const $ = (selector, root = document) => root.querySelector(selector);

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else if (name === "class") el.className = value;
    else if (name === "text") el.textContent = value;
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

// As the server writes sizes (shared/sizes.py): binary units, 1 KB = 1024 bytes, "100MB", "2.4KB".
function formatBytes(bytes) {
  const units = [["TB", 1024 ** 4], ["GB", 1024 ** 3], ["MB", 1024 ** 2], ["KB", 1024]];
  for (let i = 0; i < units.length; i++) {
    const [unit, scale] = units[i];
    if (bytes < scale) continue;
    if (bytes % scale === 0) return `${bytes / scale}${unit}`;
    const value = (bytes / scale).toFixed(1);
    if (value === "1024.0" && i > 0) return `1.0${units[i - 1][0]}`;
    return `${value}${unit}`;
  }
  return bytes === 1 ? "1 byte" : `${bytes} bytes`;
}

function formatWhen(iso) {
  if (!iso) return "never";
  const seconds = Math.round((new Date(iso).getTime() - Date.now()) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return seconds > 0 ? "in under a minute" : "just now";
  // Round to the nearest unit, switching unit where rounding would reach the next one.
  const [count, unit] =
    abs >= 23.5 * 3600 ? [Math.round(abs / 86400), "day"]
      : abs >= 59.5 * 60 ? [Math.round(abs / 3600), "hour"]
        : [Math.round(abs / 60), "minute"];
  const span = `${count} ${unit}${count === 1 ? "" : "s"}`;
  return seconds >= 0 ? `in ${span}` : `${span} ago`;
}

function localTime(iso) {
  return iso ? new Date(iso).toLocaleString() : "";
}

async function copyText(text, button) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // Clipboard API refused (no permission, insecure context): select-and-copy fallback.
    const area = h("textarea", { class: "visually-hidden", readonly: true });
    area.value = text;
    document.body.append(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
  if (button) {
    const label = button.textContent;
    button.textContent = "Copied";
    setTimeout(() => { button.textContent = label; }, 1500);
  }
}

// ---------------------------------------------------------------------------------------------
// Errors: every failure becomes one clear sentence, from the API's JSON `message` when it has one.

class ApiError extends Error {
  constructor(status, message, { auth = false, retryAfter = null } = {}) {
    super(message);
    this.status = status;
    this.auth = auth;
    this.retryAfter = retryAfter;
  }
}

// Seconds a 429's Retry-After asks for (at least 1).
function retrySeconds(retryAfter) {
  const wait = Number.parseInt(retryAfter || "", 10);
  return Number.isFinite(wait) ? Math.max(1, wait) : DEFAULT_RETRY_AFTER;
}

// Waits `seconds`, calling show(left) each second; resolves early (false) when cancelled() says.
function countDown(seconds, show, cancelled = () => false) {
  return new Promise((resolve) => {
    let left = seconds;
    const tick = () => {
      if (cancelled()) {
        clearInterval(timer);
        resolve(false);
      } else if (left <= 0) {
        clearInterval(timer);
        resolve(true);
      } else {
        show(left);
        left -= 1;
      }
    };
    const timer = setInterval(tick, 1000);
    tick();
  });
}

class Cancelled extends Error {
  constructor() { super("Cancelled"); }
}

function describeError(status, text, retryAfter) {
  let body = null;
  try { body = JSON.parse(text); } catch { /* not JSON: storage XML, a proxy page */ }
  const authMessage = body && body.auth_error && body.auth_error.message;
  const message = authMessage || (body && typeof body.message === "string" ? body.message : "");
  switch (status) {
    case 0:
      return new ApiError(0, "Could not reach the server. Check the connection and try again.");
    case 401:
      return new ApiError(401, `Please log in again (${message || "not signed in"}).`, { auth: true });
    case 403:
      return new ApiError(403, message ? `Not allowed: ${message}.` : "Not allowed.");
    case 404:
      return new ApiError(404, `${message || "Not found"}: it may have expired, been used up or deleted.`);
    case 413:
      return new ApiError(413, `Too large: ${message || "the file exceeds the size limit"}.`);
    case 429: {
      const wait = retrySeconds(retryAfter);
      return new ApiError(429, `Too many requests: try again in ${wait} s.`, { retryAfter: wait });
    }
    default:
      if (status >= 500) {
        const after = retryAfter ? ` Try again in ${retryAfter} s.` : " Try again shortly.";
        return new ApiError(status, `${message || "The server had a problem"}.${after}`);
      }
      return new ApiError(status, message || `The request failed (HTTP ${status}).`);
  }
}

const notice = {
  show(message, kind = "info") {
    const box = $("#notice");
    box.textContent = message;
    box.className = `notice ${kind}`;
    box.setAttribute("role", kind === "error" ? "alert" : "status");
    box.hidden = false;
  },
  error(error) {
    if (error instanceof Cancelled) return;
    notice.show(error instanceof ApiError ? error.message : `Something went wrong: ${error}`, "error");
    if (error instanceof ApiError && error.auth && session.token) session.clear();
  },
  clear() { $("#notice").hidden = true; },
};

// ---------------------------------------------------------------------------------------------
// Session: the token lives in localStorage, so every tab and reload shares it.

const session = {
  get token() { return localStorage.getItem(TOKEN_KEY); },
  get username() { return localStorage.getItem(USER_KEY); },
  set(token, username) {
    localStorage.setItem(TOKEN_KEY, token);
    localStorage.setItem(USER_KEY, username);
    renderSession();
  },
  clear() {
    localStorage.removeItem(TOKEN_KEY);
    localStorage.removeItem(USER_KEY);
    renderSession();
  },
};

// fetch against the API. A 429 is not an error: the notice counts down the server's
// Retry-After, then the request goes again (unless `waitOut` is false: the caller shows it).
async function api(method, path, { json, body, headers = {}, auth = true, waitOut = true } = {}) {
  const sent = new Headers(headers);
  if (auth && session.token) sent.set("Authorization", `Bearer ${session.token}`);
  if (json !== undefined) {
    sent.set("Content-Type", "application/json");
    body = JSON.stringify(json);
  }
  if (!sent.has("Accept")) sent.set("Accept", "application/json");
  for (;;) {
    let response;
    try {
      response = await fetch(path, { method, headers: sent, body, cache: "no-store" });
    } catch {
      throw describeError(0, "", null);
    }
    if (response.status === 429 && waitOut) {
      await countDown(retrySeconds(response.headers.get("Retry-After")),
        (left) => notice.show(`Too many requests right now: retrying in ${left} s…`));
      notice.clear();
      continue;
    }
    if (!response.ok) {
      throw describeError(response.status, await response.text(), response.headers.get("Retry-After"));
    }
    return response;
  }
}

async function apiJson(method, path, options) {
  return (await api(method, path, options)).json();
}

// XMLHttpRequest, for upload progress (fetch has none). Resolves with the XHR once it is done.
function send(method, url, body, { headers = {}, onProgress, register } = {}) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, url);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    if (onProgress) xhr.upload.addEventListener("progress", (e) => onProgress(e.loaded, e.total));
    xhr.addEventListener("load", () => resolve(xhr));
    xhr.addEventListener("error", () => reject(describeError(0, "", null)));
    xhr.addEventListener("abort", () => reject(new Cancelled()));
    if (register) register(() => xhr.abort());
    xhr.send(body);
  });
}

function xhrError(xhr) {
  return describeError(xhr.status, xhr.responseText, xhr.getResponseHeader("Retry-After"));
}

function authHeaders() {
  return session.token ? { Authorization: `Bearer ${session.token}` } : {};
}

// ---------------------------------------------------------------------------------------------
// Tabs (WAI-ARIA tabs pattern: arrows move between tabs, Home/End jump)

const tabs = () => [...document.querySelectorAll('[role="tab"]')];

function selectTab(tab, { focus = false } = {}) {
  if (tab.getAttribute("aria-selected") !== "true") notice.clear();
  for (const other of tabs()) {
    const selected = other === tab;
    other.setAttribute("aria-selected", String(selected));
    other.tabIndex = selected ? 0 : -1;
    document.getElementById(other.getAttribute("aria-controls")).hidden = !selected;
  }
  if (focus) tab.focus();
  const name = tab.id.replace("tab-", "");
  if (name === "files") loadFiles();
  if (name === "groups") loadGroups();
  if (name === "buffer") loadBufferHistory();
  if (name === "account") loadWebhooks();
}

function setUpTabs() {
  for (const tab of tabs()) {
    tab.addEventListener("click", () => selectTab(tab));
    tab.addEventListener("keydown", (event) => {
      const all = tabs();
      const index = all.indexOf(tab);
      const moves = {
        ArrowRight: (index + 1) % all.length,
        ArrowLeft: (index - 1 + all.length) % all.length,
        Home: 0,
        End: all.length - 1,
      };
      if (event.key in moves) {
        event.preventDefault();
        selectTab(all[moves[event.key]], { focus: true });
      }
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Account

function renderSession() {
  const name = session.username;
  const signedIn = Boolean(session.token);
  document.body.classList.toggle("signed-in", signedIn);
  document.body.classList.toggle("signed-out", !signedIn);
  $("#who").hidden = !signedIn;
  $("#who-name").textContent = name || "";
  $("#account-name").textContent = name || "";
  $("#header-account").textContent = signedIn ? "Account" : "Log in";
  loadTargets();
}

async function authenticate(path) {
  const form = $("#login-form");
  if (!form.reportValidity()) return;
  const username = $("#login-username").value.trim();
  const password = $("#login-password").value;
  try {
    const body = await apiJson("POST", path, { json: { username, password }, auth: false });
    session.set(body.accessToken, body.username || username);
    $("#login-password").value = "";
    selectTab($("#tab-share"));
    notice.show(`Signed in as ${body.username || username}.`, "success");
  } catch (error) {
    notice.error(error);
  }
}

async function logout() {
  try {
    if (session.token) await api("POST", "/api/logout");
  } catch (error) {
    if (!(error instanceof ApiError && error.auth)) {
      notice.error(error);
      return;
    }
  }
  session.clear();
  notice.show("Logged out.", "success");
}

function setUpAccount() {
  $("#login-form").addEventListener("submit", (event) => {
    event.preventDefault();
    authenticate("/api/login");
  });
  $("#register-button").addEventListener("click", () => authenticate("/api/register"));
  $("#logout-button").addEventListener("click", logout);
  $("#header-account").addEventListener("click", () => selectTab($("#tab-account"), { focus: true }));
}

// ---------------------------------------------------------------------------------------------
// Upload targets: private, or one of the user's groups

let groupsCache = [];

async function loadTargets() {
  const select = $("#target");
  const chosen = select.value;
  groupsCache = [];
  if (session.token) {
    try {
      groupsCache = (await apiJson("GET", "/api/get_groups")).groups || [];
    } catch (error) {
      notice.error(error);
    }
  }
  select.replaceChildren(
    h("option", { value: "private", text: session.token ? "My files (private link)" : "Private link" }),
    ...groupsCache.map((g) => h("option", { value: String(g.group_id), text: `Group: ${g.name}` })),
  );
  if ([...select.options].some((o) => o.value === chosen)) select.value = chosen;
}

// ---------------------------------------------------------------------------------------------
// Uploads: one list item per file, each with progress, speed, cancel and retry

function uploadOptions() {
  const oneTime = $("#one-time").checked;
  const max = $("#max-downloads").value.trim();
  return {
    target: $("#target").value || "private",
    expiresIn: $("#expires").value,
    maxDownloads: oneTime ? "1" : max,
    encrypt: Boolean($("#encrypt") && $("#encrypt").checked),
  };
}

// The uploads list survives a reload: links and delete keys of finished uploads, and enough of an
// unfinished one (its direct-upload grant) to resume it once the same file is chosen again. Kept
// in localStorage, like the login token, until the user clears it or the file expires.
const savedUploads = {
  all() {
    try {
      const list = JSON.parse(localStorage.getItem(UPLOADS_KEY) || "[]");
      return Array.isArray(list) ? list : [];
    } catch {
      return [];
    }
  },
  write(list) {
    if (list.length) localStorage.setItem(UPLOADS_KEY, JSON.stringify(list));
    else localStorage.removeItem(UPLOADS_KEY);
    renderUploadsHead();
  },
  put(record) {
    const list = savedUploads.all().filter((item) => item.id !== record.id);
    const at = savedUploads.all().findIndex((item) => item.id === record.id);
    list.splice(at < 0 ? 0 : at, 0, record); // a new upload goes first, as on the page
    savedUploads.write(list);
  },
  forget(id) {
    savedUploads.write(savedUploads.all().filter((item) => item.id !== id));
  },
};

function newId() {
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

class Upload {
  // `file` is a File, or for an upload restored after a reload the record saved for it.
  constructor(file, options, { restored = null } = {}) {
    this.file = file;
    this.options = options;
    this.aborts = [];
    this.cancelled = false;
    this.samples = [];
    this.id = restored ? restored.id : newId();
    this.grant = restored && restored.grant ? { ...restored.grant } : null;
    this.body = restored ? restored.result : null;
    this.build();
  }

  record(state) {
    const { name, size, lastModified } = this.file;
    return {
      id: this.id, name, size, lastModified, options: this.options, state,
      grant: this.grant ? { file_url: this.grant.file_url, key: this.grant.key } : null,
      result: this.body,
    };
  }

  build() {
    const file = this.file;
    this.progress = h("progress", { max: "1", value: "0", "aria-label": `Upload of ${file.name}` });
    this.status = h("span", { class: "status" });
    this.speed = h("span", { class: "speed muted" });
    this.cancelButton = h("button", { type: "button", text: "Cancel", onclick: () => this.cancel() });
    this.retryButton = h("button", { type: "button", text: "Retry", hidden: true, onclick: () => this.start() });
    this.removeButton = h("button", {
      type: "button", text: "Remove", hidden: true, "aria-label": `Remove ${file.name} from the list`,
      onclick: () => this.remove(),
    });
    // After a reload the browser no longer holds the file: the user picks it again to resume.
    const again = h("input", { type: "file", class: "visually-hidden", id: `again-${this.id}` });
    again.addEventListener("change", () => {
      if (again.files.length) this.resumeWith(again.files[0]);
      again.value = "";
    });
    this.againLabel = h("label", { for: `again-${this.id}`, class: "button primary", hidden: true, text: "Choose the file again" });
    this.result = h("div", { class: "result", hidden: true });
    this.el = h("li", { class: "upload", "data-id": this.id },
      h("div", { class: "row spread" },
        h("span", { class: "name", text: file.name }),
        h("span", { class: "muted", text: formatBytes(file.size) })),
      this.progress,
      h("div", { class: "row spread" }, this.status, this.speed),
      h("div", { class: "row" }, this.cancelButton, this.retryButton, again, this.againLabel, this.removeButton),
      this.result);
  }

  setState(state, message, { retryable = true } = {}) {
    this.el.dataset.state = state;
    this.status.textContent = message;
    this.status.classList.toggle("error-text", state === "failed");
    const busy = state === "uploading" || state === "waiting";
    this.cancelButton.hidden = !busy;
    this.retryButton.hidden = !((state === "failed" && retryable) || state === "cancelled");
    this.againLabel.hidden = state !== "interrupted";
    this.removeButton.hidden = busy;
    // What a reload should bring back: finished links, and uploads that can still be resumed.
    if (state === "deleted" || (state === "failed" && !retryable)) savedUploads.forget(this.id);
    else savedUploads.put(this.record(state));
  }

  // A finished upload's entry holds its delete key: removing it asks first.
  remove() {
    if (this.body && !window.confirm(`Remove ${this.file.name} from this list? Its delete key will be forgotten; the file stays online until it expires.`)) return;
    savedUploads.forget(this.id);
    this.el.remove();
  }

  resumeWith(file) {
    if (file.name !== this.file.name || file.size !== this.file.size) {
      this.status.textContent = `That is not ${this.file.name} (${formatBytes(this.file.size)}): choose the same file.`;
      return;
    }
    this.file = file;
    this.start();
  }

  report(loaded, total) {
    const fraction = total ? loaded / total : 1;
    this.progress.value = Math.min(1, fraction);
    const now = performance.now();
    this.samples.push([now, loaded]);
    while (this.samples.length > 2 && now - this.samples[0][0] > SPEED_WINDOW_MS) this.samples.shift();
    const [t0, l0] = this.samples[0];
    if (now - t0 > 200) {
      this.speed.textContent = `${formatBytes(Math.max(0, ((loaded - l0) * 1000) / (now - t0)))}/s`;
    }
    this.status.textContent = `${Math.floor(fraction * 100)}% · ${formatBytes(Math.round(fraction * this.file.size))} of ${formatBytes(this.file.size)}`;
  }

  async start() {
    this.cancelled = false;
    this.aborts = [];
    this.samples = [];
    this.result.hidden = true;
    this.progress.value = 0;
    this.speed.textContent = "";
    this.setState("uploading", "Starting…");
    let started = performance.now();
    try {
      let body = null;
      while (body === null) {
        try {
          body = this.file.size > DIRECT_THRESHOLD ? await this.direct() : await this.relay();
        } catch (error) {
          if (!(error instanceof ApiError) || error.status !== 429 || this.cancelled) throw error;
          await this.waitOut(error.retryAfter);
          started = performance.now();
        }
      }
      const seconds = (performance.now() - started) / 1000;
      this.progress.value = 1;
      this.speed.textContent = seconds > 0 ? `${formatBytes(Math.round(this.file.size / seconds))}/s average` : "";
      this.body = body;
      this.setState("done", "Uploaded");
      this.showResult(body);
    } catch (error) {
      this.progress.value = 0;
      this.speed.textContent = "";
      if (error instanceof Cancelled || this.cancelled) {
        this.setState("cancelled", "Cancelled");
      } else {
        // Retrying cannot help a file that is too large, or a target the user may not use.
        const status = error instanceof ApiError ? error.status : 0;
        const retryable = status === 0 || status === 408 || status === 429 || status >= 500;
        this.setState("failed", error instanceof ApiError ? error.message : String(error), { retryable });
        if (error instanceof ApiError && error.auth && session.token) session.clear();
      }
    }
  }

  cancel() {
    this.cancelled = true;
    for (const abort of this.aborts) abort();
  }

  // The server said 429: count its Retry-After down on the entry, then the caller tries again.
  async waitOut(seconds) {
    this.progress.value = 0;
    this.speed.textContent = "";
    const waited = await countDown(seconds,
      (left) => this.setState("waiting", `Rate limited by the server: retrying in ${left} s`),
      () => this.cancelled);
    if (!waited) throw new Cancelled();
    this.setState("uploading", "Retrying…");
  }

  // The link's password is kept in memory only (never in the saved record): an upload restored
  // after a reload that had one takes the field's value again, or stops rather than go without.
  linkPassword() {
    const password = this.password || (this.options.withPassword ? $("#link-password").value : "");
    if (this.options.withPassword && !password) throw new Error("Enter the link's password again first.");
    return password;
  }

  query() {
    const params = new URLSearchParams();
    if (this.options.expiresIn) params.set("expires_in", this.options.expiresIn);
    if (this.options.maxDownloads) params.set("max_downloads", this.options.maxDownloads);
    return params;
  }

  // Small files: one multipart POST through the API, with upload progress.
  async relay() {
    const form = new FormData();
    const password = this.linkPassword();
    if (password) form.append("password", password); // a form field: never in the URL
    form.append("file", this.file, this.file.name);
    const url = `/api/upload/${encodeURIComponent(this.options.target)}?${this.query()}`;
    const xhr = await send("POST", url, form, {
      headers: { Accept: "application/json", ...authHeaders() },
      onProgress: (loaded, total) => this.report(loaded, total),
      register: (abort) => this.aborts.push(abort),
    });
    if (xhr.status !== 200) throw xhrError(xhr);
    return JSON.parse(xhr.responseText);
  }

  // Large files: the API hands out a SAS URL, blocks go straight to Blob Storage in parallel,
  // then the block list is committed and the API makes the file visible. A retry resumes: the
  // API lists the blocks storage already holds, and only the others are sent again. The SAS is
  // short-lived: when storage refuses it (403), the API renews it and the block goes again.
  async direct() {
    const { grant, held, published } = await this.grantFor();
    if (this.cancelled) throw new Cancelled();
    if (published) return this.complete(grant);
    this.sas = grant.upload_url;
    this.sasExpiry = grant.expires_at;
    const blockSize = Number(grant.block_size);
    const total = this.file.size;
    const count = Math.max(1, Math.ceil(total / blockSize));
    const ids = Array.from({ length: count }, (_, i) => `block-${String(i).padStart(8, "0")}`);
    const sizeOf = (index) => Math.min(total, (index + 1) * blockSize) - index * blockSize;
    const sent = ids.map((id, index) => (held.get(id) === sizeOf(index) ? sizeOf(index) : 0));
    const todo = ids.map((_, index) => index).filter((index) => sent[index] === 0);
    this.blocksSent = 0;
    const update = () => this.report(sent.reduce((a, b) => a + b, 0), total);
    update();
    const worker = async () => {
      while (todo.length && !this.cancelled) {
        const index = todo.shift();
        const start = index * blockSize;
        const url = () => `${this.sas}&comp=block&blockid=${encodeURIComponent(btoa(ids[index]))}`;
        await this.putBlock(grant, url, this.file.slice(start, start + sizeOf(index)), (loaded) => {
          sent[index] = loaded;
          update();
        });
        this.blocksSent += 1;
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_BLOCKS, todo.length) }, worker));
    if (this.cancelled) throw new Cancelled();
    const list = `<?xml version="1.0" encoding="utf-8"?><BlockList>${ids.map((id) => `<Latest>${btoa(id)}</Latest>`).join("")}</BlockList>`;
    let commit;
    for (let renewed = 0; ; renewed += 1) {
      const used = this.sas;
      commit = await send("PUT", `${used}&comp=blocklist`, list, {
        register: (abort) => this.aborts.push(abort),
      });
      if (commit.status !== 403 || renewed >= SAS_RENEWALS || !(await this.renewSas(grant, used))) break;
    }
    if (commit.status !== 201) throw new ApiError(commit.status, `Storage refused the upload (HTTP ${commit.status}).`);
    return this.complete(grant);
  }

  // A new grant, or the one of an interrupted attempt with the blocks storage already holds.
  async grantFor() {
    const held = new Map();
    if (this.grant) {
      try {
        const path = `/api/uploads/${encodeURIComponent(this.grant.file_url)}?key=${encodeURIComponent(this.grant.key)}`;
        const state = await apiJson("GET", path);
        if (state.state === "complete") return { grant: this.grant, held, published: true };
        for (const block of [...(state.committed || []), ...(state.uncommitted || [])]) held.set(block.id, block.size);
        return { grant: { ...this.grant, upload_url: state.upload_url, block_size: state.block_size }, held };
      } catch (error) {
        if (!(error instanceof ApiError) || error.status !== 404) throw error;
      }
    }
    const request = {
      filename: this.file.name,
      size: this.file.size,
      group_id: this.options.target,
    };
    if (this.options.expiresIn) request.expires_in = Number(this.options.expiresIn);
    if (this.options.maxDownloads) request.max_downloads = Number(this.options.maxDownloads);
    const password = this.linkPassword();
    if (password) request.password = password;
    if (this.declared) Object.assign(request, this.declared); // an encrypted upload (web/e2e-upload.js)
    // A 429 here is counted down on this upload's entry, where Cancel can stop the wait.
    this.grant = await apiJson("POST", "/api/uploads", { json: request, waitOut: false });
    savedUploads.put(this.record(this.el.dataset.state)); // resumable after a reload from now on
    return { grant: this.grant, held };
  }

  async complete(grant) {
    this.status.textContent = "Finishing…";
    const path = `/api/uploads/${encodeURIComponent(grant.file_url)}/complete?key=${encodeURIComponent(grant.key)}`;
    const body = await apiJson("POST", path);
    this.grant = null;
    return body;
  }

  // Storage answers 403 once the SAS has expired: one renewal serves every block waiting on it,
  // and a request refused with an older SAS just goes again with the current one.
  renewSas(grant, used) {
    if (this.sas !== used) return Promise.resolve(true);
    if (!this.renewing) {
      const path = `/api/uploads/${encodeURIComponent(grant.file_url)}?key=${encodeURIComponent(grant.key)}`;
      this.renewing = apiJson("GET", path)
        .then((state) => {
          // No later expiry: the upload's maximum time is reached, and the refusal stands.
          if (!state.upload_url || !(Date.parse(state.expires_at) > Date.parse(this.sasExpiry))) return false;
          this.sas = state.upload_url;
          this.sasExpiry = state.expires_at;
          return true;
        })
        .finally(() => { this.renewing = null; });
    }
    return this.renewing;
  }

  async putBlock(grant, url, chunk, onProgress) {
    let renewed = 0;
    for (let attempt = 1; ; attempt += 1) {
      try {
        const used = this.sas;
        const xhr = await send("PUT", url(), chunk, {
          onProgress,
          register: (abort) => this.aborts.push(abort),
        });
        if (xhr.status === 201) {
          onProgress(chunk.size);
          return;
        }
        if (xhr.status === 403 && renewed < SAS_RENEWALS && (await this.renewSas(grant, used))) {
          renewed += 1;
          attempt -= 1;
          onProgress(0);
          continue;
        }
        const error = new ApiError(xhr.status, `Storage refused a block (HTTP ${xhr.status}).`);
        if (xhr.status < 500 || attempt >= BLOCK_ATTEMPTS) throw error;
      } catch (error) {
        if (error instanceof Cancelled || this.cancelled) throw new Cancelled();
        if (!(error instanceof ApiError) || error.status !== 0 || attempt >= BLOCK_ATTEMPTS) throw error;
      }
      onProgress(0);
      await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
    }
  }

  showResult(body) {
    const link = body.file_url_full;
    const deleteUrl = new URL(`/api/delete/${encodeURIComponent(body.file_url)}?key=${encodeURIComponent(body.key)}`, location.href).href;
    const linkInput = h("input", { class: "link", readonly: true, "aria-label": `Link to ${this.file.name}` });
    linkInput.value = link;
    linkInput.addEventListener("focus", () => linkInput.select());
    const copyButton = h("button", { type: "button", class: "primary", text: "Copy link" });
    copyButton.addEventListener("click", () => copyText(link, copyButton));
    const deleteButton = h("button", { type: "button", class: "danger", text: "Delete now" });
    deleteButton.addEventListener("click", async () => {
      if (!window.confirm(`Delete ${this.file.name}? The link stops working for everyone.`)) return;
      try {
        await api("DELETE", `/api/delete/${encodeURIComponent(body.file_url)}?key=${encodeURIComponent(body.key)}`);
        this.body = null;
        this.setState("deleted", "Deleted");
        this.result.hidden = true;
      } catch (error) {
        this.setState("done", error.message);
      }
    });
    const facts = [
      `Expires ${formatWhen(body.expires_at)}`,
      body.max_downloads ? (body.max_downloads === 1 ? "one-time link" : `${body.max_downloads} downloads`) : null,
      body.password_required ? "password protected" : null,
    ].filter(Boolean).join(" · ");
    const evicted = Array.isArray(body.evicted) && body.evicted.length
      ? h("p", { class: "muted", text: `Your oldest files were removed to stay within your limit: ${body.evicted.length}.` })
      : null;
    this.result.replaceChildren(
      h("div", { class: "row link-row" }, linkInput, copyButton,
        h("a", { href: link, target: "_blank", rel: "noopener noreferrer", class: "button", text: "Open" })),
      h("div", { class: "result-body" },
        body.qr_url ? h("img", { class: "qr", src: body.qr_url, alt: `QR code of the link to ${this.file.name}`, width: "148", height: "148" }) : null,
        h("div", { class: "stack" },
          h("p", { class: "muted", text: facts }),
          h("p", {}, "Delete link (keep it to delete the file): ",
            h("a", { class: "delete-link", href: deleteUrl, rel: "noreferrer", text: deleteUrl })),
          h("div", { class: "row" }, deleteButton),
          evicted)));
    this.result.hidden = false;
  }
}

function addFiles(fileList) {
  const files = [...fileList];
  if (!files.length) return;
  const options = uploadOptions();
  if (options.maxDownloads && !/^\d+$/.test(options.maxDownloads)) {
    notice.show("Max downloads must be a whole number of at least 1.", "error");
    return;
  }
  notice.clear();
  const password = $("#link-password").value;
  for (const file of files) {
    const linkOptions = { ...options, withPassword: Boolean(password) };
    const upload = options.encrypt
      ? new EncryptedUpload(file, linkOptions)
      : new Upload(file, linkOptions);
    upload.password = password;
    $("#uploads").prepend(upload.el);
    upload.start();
  }
}

// Entries saved before the reload: finished ones with their link and delete key (until they
// expire), unfinished ones waiting for their file to be chosen again.
function restoreUploads() {
  const now = Date.now();
  const kept = savedUploads.all().filter((item) => !(item.result && item.result.expires_at && new Date(item.result.expires_at).getTime() <= now));
  savedUploads.write(kept);
  for (const item of kept) {
    const Kind = item.options && item.options.encrypt ? EncryptedUpload : Upload;
    const upload = new Kind({ name: item.name, size: item.size, lastModified: item.lastModified }, item.options || {}, { restored: item });
    $("#uploads").append(upload.el);
    if (item.result) {
      upload.progress.value = 1;
      upload.setState("done", "Uploaded");
      upload.showResult(item.result);
    } else {
      const how = item.grant ? "choose the same file to resume where it stopped" : "choose the same file to upload it again";
      upload.setState("interrupted", `Interrupted by leaving the page: ${how}.`);
    }
  }
}

function renderUploadsHead() {
  const count = savedUploads.all().length;
  $("#uploads-head").hidden = count === 0;
  $("#uploads-kept").textContent = `${count} upload${count === 1 ? "" : "s"} kept in this browser.`;
}

function clearUploads() {
  const kept = savedUploads.all().filter((item) => {
    const el = document.querySelector(`.upload[data-id="${CSS.escape(item.id)}"]`);
    return el && (el.dataset.state === "uploading" || el.dataset.state === "waiting");
  });
  const forgotten = savedUploads.all().length - kept.length;
  if (!forgotten) return;
  if (!window.confirm(`Forget ${forgotten} upload${forgotten === 1 ? "" : "s"} and ${forgotten === 1 ? "its" : "their"} delete key${forgotten === 1 ? "" : "s"} in this browser? The files stay online until they expire.`)) return;
  for (const el of document.querySelectorAll(".upload")) {
    if (!kept.some((item) => item.id === el.dataset.id)) el.remove();
  }
  savedUploads.write(kept);
}

function setUpDropZone(zone, onFiles) {
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("over");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("over");
    if (event.dataTransfer && event.dataTransfer.files.length) onFiles(event.dataTransfer.files);
  });
}

function setUpShare() {
  const input = $("#file-input");
  input.addEventListener("change", () => {
    addFiles(input.files);
    input.value = "";
  });
  setUpDropZone($("#drop"), addFiles);
  const oneTime = $("#one-time");
  oneTime.addEventListener("change", () => { $("#max-downloads").disabled = oneTime.checked; });
  $("#clear-uploads").addEventListener("click", clearUploads);
  restoreUploads();
  renderUploadsHead();
  // A file dropped anywhere on the Share panel should not navigate away from the page.
  window.addEventListener("dragover", (event) => event.preventDefault());
  window.addEventListener("drop", (event) => event.preventDefault());
}

// ---------------------------------------------------------------------------------------------
// Files: the user's own and each group's, with size, expiry and download count

async function loadFiles() {
  const lists = $("#files-lists");
  if (!session.token) {
    lists.replaceChildren();
    return;
  }
  lists.setAttribute("aria-busy", "true");
  try {
    const groups = (await apiJson("GET", "/api/get_groups")).groups || [];
    const sections = [{ id: "private", title: "My files" },
      ...groups.map((g) => ({ id: String(g.group_id), title: `Group: ${g.name}` }))];
    const rendered = await Promise.all(sections.map(renderFileSection));
    lists.replaceChildren(...rendered);
  } catch (error) {
    notice.error(error);
  } finally {
    lists.removeAttribute("aria-busy");
  }
}

async function renderFileSection({ id, title }) {
  const body = await apiJson("GET", `/api/get_files/${encodeURIComponent(id)}`);
  const files = body.data || [];
  const list = h("ul", { class: "files", "aria-label": title });
  const section = h("section", { class: "file-section", "data-group": id },
    h("h2", { text: title }),
    files.length ? list : h("p", { class: "muted", text: "No files yet." }));
  for (const file of files) list.append(renderFile(file, body.is_group_owner));
  await fillCounts(files, list);
  return section;
}

// A group's listing carries only the caller's own keys; its owner deletes the rest with the token.
function renderFile(file, groupOwner) {
  const name = file.user_filename || file.file_url;
  const copy = h("button", { type: "button", text: "Copy link" });
  copy.addEventListener("click", () => copyText(file.file_url_full, copy));
  const remove = h("button", { type: "button", class: "danger", text: "Delete", "aria-label": `Delete ${name}` });
  const item = h("li", { class: "file", "data-file-url": file.file_url },
    h("div", { class: "row spread" },
      h("a", { href: file.file_url_full, target: "_blank", rel: "noopener noreferrer", class: "name", text: name }),
      h("span", { class: "muted", text: formatBytes(file.size || 0) })),
    h("p", { class: "muted facts" },
      h("span", { text: `Expires ${formatWhen(file.expires_at)}`, title: localTime(file.expires_at) }),
      " · ",
      h("span", { class: "downloads", text: "… downloads" })),
    h("div", { class: "row" }, copy, file.key || groupOwner ? remove : null));
  remove.addEventListener("click", async () => {
    if (!window.confirm(`Delete ${name}? The link stops working for everyone.`)) return;
    const byKey = file.key ? `?key=${encodeURIComponent(file.key)}` : "";
    try {
      await api("DELETE", `/api/delete/${encodeURIComponent(file.file_url)}${byKey}`);
      item.remove();
      notice.show(`Deleted ${name}.`, "success");
    } catch (error) {
      notice.error(error);
    }
  });
  return item;
}

// The listing has no download count; metadata has it (a few requests at a time).
async function fillCounts(files, list) {
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const file = files[next++];
      const slot = list.querySelector(`[data-file-url="${CSS.escape(file.file_url)}"] .downloads`);
      try {
        const meta = await apiJson("GET", `/api/metadata/${encodeURIComponent(file.file_url)}`, { auth: false });
        const count = meta.download_count ?? 0;
        const left = meta.downloads_left;
        slot.textContent = `${count} download${count === 1 ? "" : "s"}${left === null || left === undefined ? "" : ` (${left} left)`}`;
      } catch {
        slot.textContent = "gone";
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(6, files.length) }, worker));
}

// ---------------------------------------------------------------------------------------------
// Groups: create, invite, join, leave, delete

function inviteCode(text) {
  const trimmed = text.trim();
  try {
    const url = new URL(trimmed);
    return url.pathname.replace(/\/+$/, "").split("/").pop() || "";
  } catch {
    return trimmed.replace(/\/+$/, "").split("/").pop() || "";
  }
}

async function loadGroups() {
  const list = $("#group-list");
  if (!session.token) {
    list.replaceChildren();
    return;
  }
  try {
    const groups = (await apiJson("GET", "/api/get_groups")).groups || [];
    const items = await Promise.all(groups.map(renderGroup));
    list.replaceChildren(...items);
    if (!groups.length) list.append(h("li", { class: "muted", text: "You are in no group yet." }));
  } catch (error) {
    notice.error(error);
  }
}

async function renderGroup(group) {
  const id = String(group.group_id);
  let owner = false;
  try {
    owner = Boolean((await apiJson("GET", `/api/get_files/${id}`)).is_group_owner);
  } catch { /* shown as a member: the server still decides */ }
  const inviteArea = h("div", { class: "invite", "aria-live": "polite" });
  const actions = h("div", { class: "row" });
  const item = h("li", { class: "group", "data-group": id },
    h("div", { class: "row spread" },
      h("strong", { text: group.name }),
      h("span", { class: "muted", text: `${owner ? "owner" : "member"} · id ${id}` })),
    actions, inviteArea);
  if (owner) {
    actions.append(
      h("button", {
        type: "button", text: "Make invite link", onclick: async () => {
          try {
            const body = await apiJson("GET", `/api/generate_invite/${id}`);
            const field = h("input", { class: "link", readonly: true, "aria-label": `Invite link for ${group.name}` });
            field.value = body.invite_link;
            const copy = h("button", { type: "button", text: "Copy" });
            copy.addEventListener("click", () => copyText(body.invite_link, copy));
            inviteArea.replaceChildren(h("div", { class: "row link-row" }, field, copy),
              h("p", { class: "muted", text: "A new link replaces the previous one." }));
          } catch (error) { notice.error(error); }
        },
      }),
      removeMemberForm(id, group.name),
      h("button", {
        type: "button", class: "danger", text: "Delete group", onclick: async () => {
          if (!window.confirm(`Delete the group "${group.name}" and every file in it?`)) return;
          try {
            await api("DELETE", `/api/delete_group/${id}`);
            notice.show(`Deleted the group ${group.name}.`, "success");
            loadGroups();
            loadTargets();
          } catch (error) { notice.error(error); }
        },
      }));
  } else {
    actions.append(h("button", {
      type: "button", text: "Leave", onclick: async () => {
        try {
          await api("POST", `/api/leave/${id}`);
          notice.show(`You left ${group.name}.`, "success");
          loadGroups();
          loadTargets();
        } catch (error) { notice.error(error); }
      },
    }));
  }
  return item;
}

// The owner removes a member by name; the live invite link stops working with it.
function removeMemberForm(id, groupName) {
  const field = h("input", { type: "text", placeholder: "username", "aria-label": `Member of ${groupName} to remove` });
  const form = h("form", { class: "row remove-member" }, field, h("button", { type: "submit", text: "Remove member" }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const username = field.value.trim();
    if (!username) return;
    try {
      await api("POST", `/api/groups/${id}/remove/${encodeURIComponent(username)}`);
      field.value = "";
      notice.show(`Removed ${username} from ${groupName}; make a new invite link to invite anyone again.`, "success");
    } catch (error) { notice.error(error); }
  });
  return form;
}

function setUpGroups() {
  $("#create-group-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const name = $("#group-name").value.trim();
    if (!name) return;
    try {
      const body = await apiJson("POST", "/api/create_group", { json: { group_name: name } });
      $("#group-name").value = "";
      notice.show(`Created the group ${body.name}.`, "success");
      loadGroups();
      loadTargets();
    } catch (error) { notice.error(error); }
  });
  $("#join-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!session.token) {
      notice.show("Log in (or create an account) first, then join.", "error");
      return;
    }
    const code = inviteCode($("#join-code").value);
    if (!code) return;
    try {
      const body = await apiJson("POST", `/api/join/${encodeURIComponent(code)}`);
      $("#join-code").value = "";
      notice.show(`You joined ${body.name}.`, "success");
      if (location.pathname.startsWith("/invite/")) history.replaceState(null, "", "/");
      loadGroups();
      loadTargets();
    } catch (error) { notice.error(error); }
  });
}

// ---------------------------------------------------------------------------------------------
// Buffer: put text or a file, take it on another device

function bufferProgress(visible, fraction = 0, text = "") {
  const box = $("#buffer-progress");
  box.hidden = !visible;
  $("progress", box).value = fraction;
  $(".status", box).textContent = text;
}

async function putBuffer(body, headers, label) {
  bufferProgress(true, 0, `Sending ${label}…`);
  try {
    const xhr = await send("POST", "/api/buffer", body, {
      headers: { Accept: "application/json", ...authHeaders(), ...headers },
      onProgress: (loaded, total) => bufferProgress(true, total ? loaded / total : 1, `Sending ${label}…`),
    });
    if (xhr.status !== 200) throw xhrError(xhr);
    bufferProgress(false);
    notice.show(`Put ${label} in your buffer.`, "success");
    loadBufferHistory();
  } catch (error) {
    bufferProgress(false);
    notice.error(error);
  }
}

function putBufferFile(file) {
  putBuffer(file, {
    "X-Data-Type": "file",
    "X-Filename": encodeURIComponent(file.name),
    "Content-Type": file.type || "application/octet-stream",
  }, file.name);
}

async function takeBuffer(path) {
  const result = $("#buffer-result");
  try {
    const response = await api("GET", path, { headers: { Accept: "*/*" } });
    const type = response.headers.get("X-Data-Type");
    if (type === "text") {
      const text = await response.text();
      const area = h("textarea", { readonly: true, rows: "4", id: "buffer-taken", "aria-label": "Text from the buffer" });
      area.value = text;
      const copy = h("button", { type: "button", class: "primary", text: "Copy text" });
      copy.addEventListener("click", () => copyText(text, copy));
      result.replaceChildren(h("div", { class: "stack" }, area, h("div", { class: "row" }, copy)));
    } else {
      const blob = await response.blob();
      const name = filenameFrom(response.headers.get("Content-Disposition")) || "buffer-file";
      const url = URL.createObjectURL(blob);
      result.replaceChildren(h("p", {},
        h("a", { class: "button primary", href: url, download: name, id: "buffer-save", text: `Save ${name}` }),
        ` ${formatBytes(blob.size)}`));
    }
  } catch (error) {
    result.replaceChildren();
    notice.error(error);
  }
}

function filenameFrom(disposition) {
  if (!disposition) return null;
  const star = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(disposition);
  if (star) {
    try { return decodeURIComponent(star[1].trim()); } catch { /* fall through */ }
  }
  const plain = /filename\s*=\s*"([^"]*)"/i.exec(disposition);
  return plain ? plain[1] : null;
}

async function loadBufferHistory() {
  const list = $("#buffer-history");
  if (!session.token) {
    list.replaceChildren();
    return;
  }
  try {
    const items = (await apiJson("GET", "/api/buffer/history")).data || [];
    list.replaceChildren(...items.map((item) => h("li", { class: "row" },
      h("span", {},
        h("strong", { text: item.type === "text" ? "Text" : item.name || "File" }),
        h("span", { class: "muted", text: ` · ${formatBytes(item.size || 0)} · ${formatWhen(item.created_at)} · expires ${formatWhen(item.expires_at)} ` })),
      h("button", {
        type: "button", text: "Take", onclick: () => takeBuffer(`/api/buffer/history/${encodeURIComponent(item.id)}`),
      }))));
    if (!items.length) list.append(h("li", { class: "muted", text: "Empty." }));
  } catch (error) {
    notice.error(error);
  }
}

function setUpBuffer() {
  $("#buffer-text-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = $("#buffer-text").value;
    if (!text) return;
    putBuffer(new Blob([text], { type: "text/plain;charset=utf-8" }),
      { "X-Data-Type": "text", "Content-Type": "text/plain; charset=utf-8" }, "text");
  });
  const input = $("#buffer-file");
  input.addEventListener("change", () => {
    if (input.files.length) putBufferFile(input.files[0]);
    input.value = "";
  });
  setUpDropZone($("#buffer-drop"), (files) => putBufferFile(files[0]));
  $("#buffer-take").addEventListener("click", () => takeBuffer("/api/buffer"));
  $("#buffer-clear").addEventListener("click", async () => {
    try {
      await api("DELETE", "/api/buffer");
      $("#buffer-result").replaceChildren();
      notice.show("Buffer cleared.", "success");
      loadBufferHistory();
    } catch (error) { notice.error(error); }
  });
}

// ---------------------------------------------------------------------------------------------
// Notifications: webhook endpoints, their test events and recent deliveries

async function loadWebhooks() {
  const list = $("#webhook-list");
  if (!session.token) {
    list.replaceChildren();
    $("#webhook-secret").hidden = true;
    return;
  }
  try {
    const hooks = (await apiJson("GET", "/api/webhooks")).data || [];
    list.replaceChildren(...hooks.map(renderWebhook));
    if (!hooks.length) list.append(h("li", { class: "muted", text: "No endpoint yet." }));
  } catch (error) {
    notice.error(error);
  }
}

function renderWebhook(hook) {
  const deliveries = h("ul", { class: "deliveries", "aria-label": `Deliveries to ${hook.url}` });
  const state = hook.disabled
    ? h("p", { class: "error-text", text: `Disabled: ${hook.disabled_reason}. A test that gets through enables it again.` })
    : h("p", { class: "muted", text: `Events: ${hook.events.join(", ")}` });
  return h("li", { class: "webhook", "data-webhook": hook.id },
    h("div", { class: "row spread" },
      h("strong", { class: "webhook-url", text: hook.url }),
      h("span", { class: "muted", text: hook.id })),
    state,
    h("div", { class: "row" },
      h("button", {
        type: "button", text: "Send test", onclick: async () => {
          try {
            await api("POST", `/api/webhooks/${encodeURIComponent(hook.id)}/test`);
            notice.show("Test event queued: it arrives in a moment.", "success");
            setTimeout(() => showDeliveries(hook, deliveries), 1500);
          } catch (error) { notice.error(error); }
        },
      }),
      h("button", { type: "button", text: "Deliveries", onclick: () => showDeliveries(hook, deliveries) }),
      h("button", {
        type: "button", class: "danger", text: "Remove", onclick: async () => {
          if (!window.confirm(`Stop sending events to ${hook.url}?`)) return;
          try {
            await api("DELETE", `/api/webhooks/${encodeURIComponent(hook.id)}`);
            notice.show("Endpoint removed.", "success");
            loadWebhooks();
          } catch (error) { notice.error(error); }
        },
      })),
    deliveries);
}

async function showDeliveries(hook, list) {
  try {
    const found = (await apiJson("GET", `/api/webhooks/${encodeURIComponent(hook.id)}/deliveries`)).data || [];
    list.replaceChildren(...found.map((d) => h("li", { class: `delivery ${d.status}` },
      h("strong", { text: d.status }),
      h("span", { text: ` ${d.event} · attempt ${d.attempt} · ${formatWhen(d.time)}` }),
      d.error ? h("span", { class: "muted", text: ` · ${d.error}` }) : null)));
    if (!found.length) list.append(h("li", { class: "muted", text: "Nothing delivered yet." }));
  } catch (error) {
    notice.error(error);
  }
}

function setUpWebhooks() {
  $("#webhook-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const url = $("#webhook-url").value.trim();
    const events = [...document.querySelectorAll('#webhook-form input[name="event"]:checked')].map((e) => e.value);
    if (!events.length) {
      notice.show("Choose at least one event.", "error");
      return;
    }
    try {
      const body = await apiJson("POST", "/api/webhooks", { json: { url, events } });
      $("#webhook-url").value = "";
      const field = h("input", { class: "link", readonly: true, id: "webhook-secret-value", "aria-label": "Signing secret" });
      field.value = body.secret;
      const copy = h("button", { type: "button", text: "Copy" });
      copy.addEventListener("click", () => copyText(body.secret, copy));
      const box = $("#webhook-secret");
      box.replaceChildren(
        h("p", {}, h("strong", { text: "Signing secret" }), " — shown only now; your endpoint verifies events with it."),
        h("div", { class: "row link-row" }, field, copy));
      box.hidden = false;
      notice.show("Endpoint added.", "success");
      loadWebhooks();
    } catch (error) { notice.error(error); }
  });
}

// ---------------------------------------------------------------------------------------------

function start() {
  setUpTabs();
  setUpAccount();
  setUpShare();
  setUpGroups();
  setUpBuffer();
  setUpWebhooks();
  renderSession();
  // Another tab logged in or out: follow it.
  window.addEventListener("storage", (event) => {
    if (event.key === TOKEN_KEY) renderSession();
  });
  const invite = /^\/invite\/([^/]+)\/?$/.exec(location.pathname);
  if (invite) {
    $("#join-code").value = decodeURIComponent(invite[1]);
    selectTab($("#tab-groups"));
    notice.show(session.token
      ? "You were invited to a group: press Join."
      : "You were invited to a group: log in or create an account (Account tab), then press Join.");
  }
}

// After every deferred script (web/e2e-upload.js restores encrypted uploads).
document.addEventListener("DOMContentLoaded", start);
