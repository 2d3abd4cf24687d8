// The page of an encrypted file's link: reads the key from the fragment (never sent anywhere),
// hands it to the service worker (web/decrypt-sw.js) by postMessage, and navigates to a
// /decrypt/ URL the worker answers with the plaintext stream: the browser saves it to disk as
// it arrives, so the file is never held in memory.
"use strict";

(() => {
  const status = document.getElementById("decrypt-status");
  const button = document.getElementById("decrypt-button");
  const passwordRow = document.getElementById("password-row");
  const password = document.getElementById("password");
  const fileUrl = location.pathname.split("/").filter(Boolean).pop();
  const key = E2E.parseFragment(location.hash);
  const say = (text, error = false) => {
    status.textContent = text;
    status.classList.toggle("error-text", error);
  };

  if (!key) {
    say("This link is missing its key (the part after #): ask for the whole link.", true);
    return;
  }
  if (!("serviceWorker" in navigator)) {
    say("This browser cannot decrypt here: use `fileshare download` with the whole link.", true);
    return;
  }
  passwordRow.hidden = !key.password;

  async function worker() {
    const registration = await navigator.serviceWorker.register("/decrypt/sw.js", { scope: "/decrypt/" });
    const current = registration.installing || registration.waiting || registration.active;
    if (current.state !== "activated") {
      await new Promise((resolve) => {
        current.addEventListener("statechange", () => { if (current.state === "activated") resolve(); });
      });
    }
    return registration.active;
  }

  const ready = worker().then((active) => { button.disabled = false; return active; },
    (error) => { say(`The decrypting worker could not start: ${error.message}`, true); throw error; });

  navigator.serviceWorker.addEventListener("message", (event) => {
    const data = event.data || {};
    if (data.type === "failed") say(`Decryption failed: ${data.message}. Nothing decrypted was kept.`, true);
    if (data.type === "done") say(`Decrypted and saved ${data.name}.`);
  });

  button.addEventListener("click", async () => {
    if (key.password && !password.value) {
      say("Enter the password first.", true);
      return;
    }
    const active = await ready;
    const id = E2E.b64url(crypto.getRandomValues(new Uint8Array(16)));
    const channel = new MessageChannel();
    const accepted = new Promise((resolve) => { channel.port1.onmessage = () => resolve(); });
    active.postMessage({
      type: "job", id, fileUrl, secret: key.secret, password: key.password ? password.value : null,
    }, [channel.port2]);
    await accepted;
    say("Downloading and decrypting…");
    location.assign(`/decrypt/stream/${id}`);
  });
})();
