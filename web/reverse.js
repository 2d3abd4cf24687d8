// The upload-link page (/r/{id}): anyone holding the link sends files to its owner. A file goes
// as one multipart POST to this very path, or, above what one POST may carry, as a direct upload
// through the link (blocks straight to Blob Storage, then completion); either way with progress,
// and the server enforces the link's limits and answers a receipt, never a link to what was sent.
// A password goes as HTTP Basic.
"use strict";

const linkPath = window.location.pathname;
const linkId = decodeURIComponent(linkPath.split("/").pop());
const $ = (selector) => document.querySelector(selector);
let status = null;

function formatBytes(bytes) {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} bytes` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

function showNotice(text, kind = "error") {
  const notice = $("#notice");
  notice.textContent = text;
  notice.className = `notice ${kind}`;
  notice.hidden = false;
}

function messageOf(xhr) {
  try {
    return JSON.parse(xhr.responseText).message || `HTTP ${xhr.status}`;
  } catch {
    return xhr.status ? `HTTP ${xhr.status}` : "The network failed: try again.";
  }
}

function renderLimits() {
  $("#files-left").textContent = String(status.files_left);
  $("#bytes-left").textContent = formatBytes(status.bytes_left);
  const expires = $("#link-expires");
  expires.dateTime = status.expires_at;
  expires.textContent = new Date(status.expires_at).toLocaleString();
  $("#limits").hidden = false;
  if (status.files_left === 0 || status.bytes_left === 0) {
    showNotice("This link accepts no more files.", "success");
    $("#drop").hidden = true;
  }
}

function basicAuth() {
  const password = $("#password").value;
  if (!password) return {};
  const bytes = new TextEncoder().encode(`:${password}`);
  return { Authorization: `Basic ${btoa(String.fromCharCode(...bytes))}` };
}

function entryFor(file) {
  const item = document.createElement("li");
  item.className = "upload";
  const name = document.createElement("p");
  name.className = "name";
  name.textContent = `${file.name} (${formatBytes(file.size)})`;
  const progress = document.createElement("progress");
  progress.max = 1;
  progress.value = 0;
  const text = document.createElement("p");
  text.className = "muted";
  text.textContent = "Waiting…";
  item.append(name, progress, text);
  $("#uploads").append(item);
  return { item, progress, text };
}

// One request with upload progress (fetch has none); resolves with the finished XHR.
function request(method, url, body, headers = {}, onProgress = null) {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, url);
    for (const [header, value] of Object.entries(headers)) xhr.setRequestHeader(header, value);
    if (onProgress) xhr.upload.addEventListener("progress", (event) => onProgress(event.loaded));
    xhr.addEventListener("loadend", () => resolve(xhr));
    xhr.send(body);
  });
}

class Failed extends Error {}

function expect(xhr, status) {
  if (xhr.status !== status) throw new Failed(messageOf(xhr));
  return xhr.status === 201 ? null : JSON.parse(xhr.responseText);
}

const API = { Accept: "application/json" };

// Small files: one multipart POST to the link.
async function relay(file, onProgress) {
  const form = new FormData();
  form.append("file", file, file.name);
  return expect(await request("POST", linkPath, form, { ...API, ...basicAuth() }, onProgress), 200);
}

// Large files: the link authorises a direct upload of exactly this size, the blocks go straight
// to storage one after another, the block list is committed, and completion answers the receipt.
async function direct(file, onProgress) {
  const declaration = JSON.stringify({ filename: file.name, size: file.size, reverse_share_id: linkId });
  const grant = expect(await request("POST", "/api/uploads", declaration,
    { ...API, "Content-Type": "application/json", ...basicAuth() }), 200);
  const blockSize = Number(grant.block_size);
  const count = Math.max(1, Math.ceil(file.size / blockSize));
  const ids = Array.from({ length: count }, (_, i) => btoa(`block-${String(i).padStart(8, "0")}`));
  for (let index = 0; index < count; index += 1) {
    const start = index * blockSize;
    const url = `${grant.upload_url}&comp=block&blockid=${encodeURIComponent(ids[index])}`;
    expect(await request("PUT", url, file.slice(start, start + blockSize), {}, (loaded) => onProgress(start + loaded)), 201);
  }
  const list = `<?xml version="1.0" encoding="utf-8"?><BlockList>${ids.map((id) => `<Latest>${id}</Latest>`).join("")}</BlockList>`;
  expect(await request("PUT", `${grant.upload_url}&comp=blocklist`, list), 201);
  const done = `/api/uploads/${encodeURIComponent(grant.file_url)}/complete?key=${encodeURIComponent(grant.key)}`;
  return expect(await request("POST", done, null, API), 200);
}

async function sendFile(file) {
  const entry = entryFor(file);
  const onProgress = (loaded) => {
    const fraction = file.size ? Math.min(1, loaded / file.size) : 1;
    entry.progress.value = fraction;
    entry.text.textContent = `${Math.floor(fraction * 100)}%`;
  };
  try {
    const receipt = await (file.size > status.max_file_bytes ? direct : relay)(file, onProgress);
    entry.item.dataset.state = "done";
    entry.progress.value = 1;
    entry.text.textContent = "Sent";
    status.files_left = receipt.files_left;
    status.bytes_left = receipt.bytes_left;
    status.max_file_bytes = Math.min(status.max_file_bytes, receipt.bytes_left);
    renderLimits();
  } catch (error) {
    entry.item.dataset.state = "failed";
    entry.progress.value = 0;
    entry.text.textContent = error instanceof Failed ? error.message : "The network failed: try again.";
  }
}

async function sendAll(files) {
  if (status.password && !$("#password").value) {
    showNotice("Enter the password first.");
    $("#password").focus();
    return;
  }
  $("#notice").hidden = true;
  for (const file of files) await sendFile(file); // one at a time: the limits count in order
}

function setUpDrop() {
  const drop = $("#drop");
  drop.addEventListener("dragover", (event) => {
    event.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    drop.classList.remove("over");
    sendAll([...event.dataTransfer.files]);
  });
  $("#file-input").addEventListener("change", (event) => {
    sendAll([...event.target.files]);
    event.target.value = "";
  });
}

async function start() {
  setUpDrop();
  let response;
  try {
    response = await fetch(linkPath, { headers: { Accept: "application/json" }, cache: "no-store" });
  } catch {
    showNotice("The network failed: reload to try again.");
    return;
  }
  if (!response.ok) {
    showNotice(response.status === 404 ? "This upload link does not exist, has expired or was revoked." : `HTTP ${response.status}`);
    return;
  }
  status = await response.json();
  $("#password-form").hidden = !status.password;
  $("#drop").hidden = false;
  renderLimits();
}

start();
