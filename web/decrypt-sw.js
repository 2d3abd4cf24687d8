// The decrypting service worker (scope /decrypt/). The decrypt page posts it a job (file id,
// key, password); the navigation to /decrypt/stream/<job> is answered here with the ciphertext
// fetched from /file/<id>?direct=1 (straight from storage when the file allows), decrypted record
// by record as it streams: nothing is held whole, and a record that fails authentication ends
// the download with an error, so the browser discards the partial file.
"use strict";

importScripts("/static/crypto.js");

const jobs = new Map();

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("message", (event) => {
  const job = event.data || {};
  if (job.type !== "job") return;
  jobs.set(job.id, { ...job, client: event.source ? event.source.id : null });
  if (event.ports[0]) event.ports[0].postMessage("ok");
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  const match = url.pathname.match(/^\/decrypt\/stream\/([A-Za-z0-9_-]+)$/);
  if (!match) return;
  const job = jobs.get(match[1]);
  jobs.delete(match[1]); // one use: the key leaves memory with the job
  event.respondWith(job ? answer(job) : failure("This download has expired: open the link again."));
});

async function tell(job, message) {
  const client = job.client ? await self.clients.get(job.client) : null;
  if (client) client.postMessage(message);
}

function failure(text, status = 400) {
  return new Response(`${text}\n`, { status, headers: { "Content-Type": "text/plain; charset=utf-8" } });
}

async function answer(job) {
  const upstream = await fetch(`/file/${encodeURIComponent(job.fileUrl)}?direct=1`, {
    headers: { Accept: "application/octet-stream" }, credentials: "omit", referrerPolicy: "no-referrer",
  });
  if (!upstream.ok) {
    let message = `the server answered ${upstream.status}`;
    try { message = (await upstream.json()).message || message; } catch { /* not JSON */ }
    await tell(job, { type: "failed", message });
    return failure(`Download failed: ${message}`, upstream.status);
  }
  let meta = null;
  const plain = upstream.body.pipeThrough(E2E.decryptStream(job.secret, job.password, (m) => { meta = m; }));
  const reader = plain.getReader();
  let first;
  try {
    first = await reader.read(); // the first record: the name and type, or the failure
  } catch (error) {
    await tell(job, { type: "failed", message: error.message });
    return failure(`Decryption failed: ${error.message}. Nothing was saved.`);
  }
  const body = new ReadableStream({
    start(controller) {
      if (first.done) {
        controller.close();
        tell(job, { type: "done", name: meta.name });
      } else {
        controller.enqueue(first.value);
      }
    },
    async pull(controller) {
      try {
        const next = await reader.read();
        if (next.done) {
          controller.close();
          await tell(job, { type: "done", name: meta.name });
        } else {
          controller.enqueue(next.value);
        }
      } catch (error) {
        controller.error(error);
        await tell(job, { type: "failed", message: error.message });
      }
    },
    cancel(reason) { return reader.cancel(reason); },
  });
  const name = String(meta.name || "download").replace(/[\\/]/g, "_");
  return new Response(body, {
    headers: {
      "Content-Type": "application/octet-stream",
      "Content-Disposition": `attachment; filename*=UTF-8''${encodeURIComponent(name)}`,
      "X-Content-Type-Options": "nosniff",
    },
  });
}
