// The "One link" tab: many files uploaded into one share, each with its own progress bar.
// Small files go through the API (POST /api/shares/{id}/files); large ones straight to Blob
// Storage by direct upload, completed with the CRC-32 computed here as their blocks are read.
"use strict";

(() => {
  const THROUGH_API_MAX = 32 * 1024 * 1024;
  const $ = (selector) => document.querySelector(selector);

  const CRC_TABLE = (() => {
    const table = new Uint32Array(256);
    for (let n = 0; n < 256; n += 1) {
      let c = n;
      for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
    return table;
  })();

  // CRC-32 (as zlib's crc32) continued over `bytes`; start with 0.
  function crc32(crc, bytes) {
    let c = (crc ^ 0xffffffff) >>> 0;
    for (let i = 0; i < bytes.length; i += 1) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  }

  function headers(extra = {}) {
    const token = localStorage.getItem("fileshare.token");
    return token ? { Authorization: `Bearer ${token}`, ...extra } : extra;
  }

  async function json(method, path, body) {
    const response = await fetch(path, {
      method,
      headers: headers(body === undefined ? {} : { "Content-Type": "application/json" }),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(answer.message || `HTTP ${response.status}`);
    return answer;
  }

  // One request with upload progress (fetch has none).
  function xhr(method, url, body, onProgress, extraHeaders = {}) {
    return new Promise((resolve, reject) => {
      const request = new XMLHttpRequest();
      request.open(method, url);
      for (const [name, value] of Object.entries(extraHeaders)) request.setRequestHeader(name, value);
      request.upload.onprogress = (event) => onProgress(event.loaded);
      request.onload = () => resolve(request);
      request.onerror = () => reject(new Error("The connection failed"));
      request.send(body);
    });
  }

  function row(file) {
    const item = document.createElement("li");
    item.className = "upload";
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = file.name;
    const bar = document.createElement("progress");
    bar.max = 1;
    bar.value = 0;
    const status = document.createElement("span");
    status.className = "status muted";
    item.append(name, bar, status);
    $("#bundle-files").append(item);
    return {
      progress: (done) => { bar.value = file.size ? done / file.size : 1; },
      finish: () => { bar.value = 1; item.dataset.state = "done"; status.textContent = "done"; },
      fail: (message) => { item.dataset.state = "error"; status.textContent = message; },
    };
  }

  async function throughApi(share, file, view) {
    const form = new FormData();
    form.append("file", file, file.name);
    const url = `/api/shares/${encodeURIComponent(share.share_id)}/files?key=${encodeURIComponent(share.key)}`;
    const request = await xhr("POST", url, form, view.progress);
    if (request.status !== 200) {
      let message = `HTTP ${request.status}`;
      try { message = JSON.parse(request.responseText).message || message; } catch { /* not JSON */ }
      throw new Error(message);
    }
  }

  async function direct(share, file, view) {
    const grant = await json("POST", "/api/uploads", {
      filename: file.name, size: file.size, share_id: share.share_id, key: share.key,
    });
    const blockSize = Number(grant.block_size);
    const count = Math.max(1, Math.ceil(file.size / blockSize));
    const ids = [];
    let crc = 0;
    for (let index = 0; index < count; index += 1) {
      const slice = file.slice(index * blockSize, Math.min(file.size, (index + 1) * blockSize));
      crc = crc32(crc, new Uint8Array(await slice.arrayBuffer()));
      const id = btoa(`block-${String(index).padStart(8, "0")}`);
      ids.push(id);
      const put = await xhr("PUT", `${grant.upload_url}&comp=block&blockid=${encodeURIComponent(id)}`, slice,
        (loaded) => view.progress(index * blockSize + loaded));
      if (put.status !== 201) throw new Error(`Storage refused a block (HTTP ${put.status})`);
    }
    const list = `<?xml version="1.0" encoding="utf-8"?><BlockList>${ids.map((id) => `<Latest>${id}</Latest>`).join("")}</BlockList>`;
    const commit = await xhr("PUT", `${grant.upload_url}&comp=blocklist`, list, () => {});
    if (commit.status !== 201) throw new Error(`Storage refused the upload (HTTP ${commit.status})`);
    const done = `/api/uploads/${encodeURIComponent(grant.file_url)}/complete?key=${encodeURIComponent(grant.key)}&crc32=${crc}`;
    await json("POST", done);
  }

  function options() {
    const chosen = {};
    const title = $("#bundle-title").value.trim();
    const expires = $("#bundle-expires").value;
    const max = $("#bundle-max").value.trim();
    const password = $("#bundle-password").value;
    if (title) chosen.title = title;
    if (expires) chosen.expires_in = Number(expires);
    if (max) chosen.max_downloads = Number(max);
    if (password) chosen.password = password;
    return chosen;
  }

  function show(share) {
    const link = $("#bundle-link");
    link.href = share.share_url;
    link.textContent = share.share_url;
    $("#bundle-key").textContent = share.key;
    const qr = $("#bundle-qr");
    qr.src = share.qr_url;
    qr.hidden = false;
    $("#bundle-result").hidden = false;
  }

  async function share(files) {
    if (!files.length) return;
    $("#bundle-files").replaceChildren();
    const views = files.map(row);
    let created;
    try {
      created = await json("POST", "/api/shares", options());
    } catch (error) {
      for (const view of views) view.fail(error.message);
      return;
    }
    show(created);
    for (const [index, file] of files.entries()) {
      try {
        await (file.size > THROUGH_API_MAX ? direct : throughApi)(created, file, views[index]);
        views[index].finish();
      } catch (error) {
        views[index].fail(error.message);
      }
    }
  }

  function setUp() {
    const input = $("#bundle-input");
    const drop = $("#bundle-drop");
    if (!input || !drop) return;
    // The same choices as the Share tab's.
    $("#bundle-expires").replaceChildren(...[...$("#expires").options].map((o) => o.cloneNode(true)));
    input.addEventListener("change", () => {
      share([...input.files]);
      input.value = "";
    });
    setUpDropZone(drop, (files) => share([...files])); // app.js's, loaded first
  }

  document.addEventListener("DOMContentLoaded", setUp);
})();
