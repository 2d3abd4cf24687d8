// "Encrypt in this browser": an Upload (web/app.js) whose blocks are ciphertext made here
// (web/crypto.js). The server is told only `encrypted.bin`, the ciphertext's size and
// `encrypted: true`; the key goes into the link's #fragment, which browsers never send.
"use strict";

class EncryptedUpload extends Upload {
  constructor(file, options, extra = {}) {
    super(file, options, extra);
    const saved = extra.restored && extra.restored.e2e;
    // A password is never kept: an upload begun with one starts over after a reload.
    this.e2e = saved ? { secret: E2E.unb64url(saved.secret), salt: E2E.unb64url(saved.salt), password: null } : null;
    if (!this.e2e) this.grant = null;
    const input = document.querySelector("#encrypt-password");
    this.encryptPassword = input && input.value ? input.value : null;
  }

  record(state) {
    const saved = super.record(state);
    if (this.e2e && this.encryptPassword === null) {
      saved.e2e = { secret: E2E.b64url(this.e2e.secret), salt: E2E.b64url(this.e2e.salt) };
    }
    return saved;
  }

  relay() {
    return this.direct(); // ciphertext always goes straight to storage, in blocks
  }

  async encryptor() {
    if (!this.e2e) {
      this.e2e = { secret: crypto.getRandomValues(new Uint8Array(16)), salt: crypto.getRandomValues(new Uint8Array(16)) };
    }
    if (!this.sealer || this.sealer.file !== this.file) {
      this.sealer = await E2E.FileEncryptor.create(this.e2e.secret, this.e2e.salt, this.encryptPassword, this.file);
    }
    return this.sealer;
  }

  // What Upload.grantFor declares instead of the file's own name and size.
  async grantFor() {
    const sealer = await this.encryptor();
    this.declared = { filename: "encrypted.bin", size: sealer.size, encrypted: true };
    return super.grantFor();
  }

  // As Upload.direct, with each block sealed here from the file slice it covers.
  async direct() {
    const sealer = await this.encryptor();
    const { grant, held, published } = await this.grantFor();
    if (this.cancelled) throw new Cancelled();
    if (published) return this.complete(grant);
    this.sas = grant.upload_url;
    this.sasExpiry = grant.expires_at;
    const blockSize = Number(grant.block_size);
    const total = sealer.size;
    const count = Math.max(1, Math.ceil(total / blockSize));
    const ids = Array.from({ length: count }, (_, i) => `block-${String(i).padStart(8, "0")}`);
    const sizeOf = (index) => Math.min(total, (index + 1) * blockSize) - index * blockSize;
    const sent = ids.map((id, index) => (held.get(id) === sizeOf(index) ? sizeOf(index) : 0));
    const todo = ids.map((_, index) => index).filter((index) => sent[index] === 0);
    const update = () => this.report(sent.reduce((a, b) => a + b, 0), total);
    update();
    const worker = async () => {
      while (todo.length && !this.cancelled) {
        const index = todo.shift();
        const url = () => `${this.sas}&comp=block&blockid=${encodeURIComponent(btoa(ids[index]))}`;
        const chunk = new Blob([await sealer.read(index * blockSize, sizeOf(index))]);
        await this.putBlock(grant, url, chunk, (loaded) => { sent[index] = loaded; update(); });
      }
    };
    // Two blocks in flight: each holds its plaintext and ciphertext while it is sealed.
    await Promise.all(Array.from({ length: Math.min(2, todo.length) }, worker));
    if (this.cancelled) throw new Cancelled();
    const list = `<?xml version="1.0" encoding="utf-8"?><BlockList>${ids.map((id) => `<Latest>${btoa(id)}</Latest>`).join("")}</BlockList>`;
    let commit;
    for (let renewed = 0; ; renewed += 1) {
      const used = this.sas;
      commit = await send("PUT", `${used}&comp=blocklist`, list, { register: (abort) => this.aborts.push(abort) });
      if (commit.status !== 403 || renewed >= SAS_RENEWALS || !(await this.renewSas(grant, used))) break;
    }
    if (commit.status !== 201) throw new ApiError(commit.status, `Storage refused the upload (HTTP ${commit.status}).`);
    return this.complete(grant);
  }

  // The link with its key; the server's QR code would not hold the key, so there is none.
  async complete(grant) {
    const body = await super.complete(grant);
    const link = `${body.file_url_full}#${E2E.fragment(this.e2e.secret, this.encryptPassword !== null)}`;
    return { ...body, file_url_full: link, qr_url: null };
  }
}
