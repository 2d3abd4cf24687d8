// The upload-link page (/r/{id}): anyone holding the link sends files to its owner. Each file is
// one multipart POST to this very path, with per-file progress; the server enforces the link's
// limits and answers a receipt, never a link to what was sent. A password goes as HTTP Basic.
"use strict";

const linkPath = window.location.pathname;
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

function sendFile(file) {
  const entry = entryFor(file);
  if (file.size > status.max_file_bytes) {
    entry.item.dataset.state = "failed";
    entry.text.textContent = `Too large: this link takes at most ${formatBytes(status.max_file_bytes)} per file.`;
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const form = new FormData();
    form.append("file", file, file.name);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", linkPath);
    xhr.setRequestHeader("Accept", "application/json");
    for (const [header, value] of Object.entries(basicAuth())) xhr.setRequestHeader(header, value);
    xhr.upload.addEventListener("progress", (event) => {
      const fraction = event.total ? event.loaded / event.total : 1;
      entry.progress.value = fraction;
      entry.text.textContent = `${Math.floor(fraction * 100)}%`;
    });
    xhr.addEventListener("loadend", () => {
      if (xhr.status === 200) {
        const receipt = JSON.parse(xhr.responseText);
        entry.item.dataset.state = "done";
        entry.progress.value = 1;
        entry.text.textContent = "Sent";
        status.files_left = receipt.files_left;
        status.bytes_left = receipt.bytes_left;
        status.max_file_bytes = Math.min(status.max_file_bytes, receipt.bytes_left);
        renderLimits();
      } else {
        entry.item.dataset.state = "failed";
        entry.progress.value = 0;
        entry.text.textContent = messageOf(xhr);
      }
      resolve();
    });
    xhr.send(form);
  });
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
