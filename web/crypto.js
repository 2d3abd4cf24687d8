// End-to-end encryption for the page and its service worker: the format of docs/encryption.md
// (RFC 8188 aes128gcm, 64 KiB records) on WebCrypto. Only the record framing is written here;
// HKDF, PBKDF2 and AES-GCM are the browser's. cli/encryption.py is the same format in Python.
"use strict";

const E2E = (() => {
  const RS = 65536; // one sealed record, tag and delimiter included
  const DATA = RS - 17; // plaintext bytes in every record but the last
  const HEADER = 21; // salt (16), rs (uint32 BE), idlen (0)
  const ITERATIONS = 600000;
  const MAX_META = 4096;
  const RECORDS_PER_READ = 16;
  const encoder = new TextEncoder();

  class DecryptError extends Error {}

  function b64url(bytes) {
    let text = "";
    for (const byte of bytes) text += String.fromCharCode(byte);
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function unb64url(text) {
    const padded = text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4);
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  }

  // `#k=<secret>[&p=1]`: what the link's fragment carries.
  function parseFragment(hash) {
    const fields = new URLSearchParams(hash.replace(/^#/, ""));
    let secret = null;
    try { secret = unb64url(fields.get("k") || ""); } catch { secret = null; }
    if (!secret || secret.length !== 16) return null;
    return { secret, password: fields.get("p") === "1" };
  }

  function fragment(secret, password) {
    return `k=${b64url(secret)}${password ? "&p=1" : ""}`;
  }

  async function deriveKeys(secret, salt, password) {
    let ikm = secret;
    if (password !== null && password !== undefined) {
      const base = await crypto.subtle.importKey("raw", encoder.encode(password), "PBKDF2", false, ["deriveBits"]);
      const stretched = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations: ITERATIONS }, base, 256);
      ikm = new Uint8Array(48);
      ikm.set(secret);
      ikm.set(new Uint8Array(stretched), 16);
    }
    const hkdf = await crypto.subtle.importKey("raw", ikm, "HKDF", false, ["deriveBits"]);
    const derive = (info, bits) => crypto.subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt, info: encoder.encode(info) }, hkdf, bits);
    const cek = await derive("Content-Encoding: aes128gcm\0", 128);
    const nonce = new Uint8Array(await derive("Content-Encoding: nonce\0", 96));
    const key = await crypto.subtle.importKey("raw", cek, "AES-GCM", false, ["encrypt", "decrypt"]);
    return { key, nonce };
  }

  // The record's nonce: the derived nonce XOR its sequence number (RFC 8188 section 2.3).
  function iv(nonce, index) {
    const out = nonce.slice();
    let rest = index;
    for (let at = 11; at >= 0 && rest > 0; at -= 1) {
      out[at] ^= rest % 256;
      rest = Math.floor(rest / 256);
    }
    return out;
  }

  async function seal(keys, index, data, last) {
    const padded = new Uint8Array(data.length + 1);
    padded.set(data);
    padded[data.length] = last ? 2 : 1;
    return new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv: iv(keys.nonce, index) }, keys.key, padded));
  }

  async function open(keys, index, sealed, last) {
    let padded;
    try {
      padded = new Uint8Array(await crypto.subtle.decrypt({ name: "AES-GCM", iv: iv(keys.nonce, index) }, keys.key, sealed));
    } catch {
      throw new DecryptError(`record ${index} failed authentication: the file was altered, truncated or reordered, or the key or password is wrong`);
    }
    let end = padded.length;
    while (end > 0 && padded[end - 1] === 0) end -= 1;
    if (end === 0 || padded[end - 1] !== (last ? 2 : 1)) {
      throw new DecryptError(last ? "the encrypted file is truncated" : "the encrypted file goes on past its last record");
    }
    return padded.subarray(0, end - 1);
  }

  function header(salt) {
    const out = new Uint8Array(HEADER);
    out.set(salt);
    new DataView(out.buffer).setUint32(16, RS);
    return out;
  }

  function metaPrefix(name, type) {
    const json = encoder.encode(JSON.stringify({ name, type }));
    if (json.length > MAX_META) throw new Error("The file name is too long to encrypt.");
    const out = new Uint8Array(4 + json.length);
    new DataView(out.buffer).setUint32(0, json.length);
    out.set(json, 4);
    return out;
  }

  function ciphertextSize(plainSize) {
    return HEADER + plainSize + (Math.floor(plainSize / DATA) + 1) * 17;
  }

  // Ciphertext of any byte range of `prefix + file`, read from the file slice it covers: the
  // same bytes every time, so a resumed upload re-creates exactly the blocks it still needs.
  class FileEncryptor {
    constructor(keys, salt, prefix, file) {
      this.keys = keys;
      this.salt = salt;
      this.prefix = prefix;
      this.file = file;
      this.plainSize = prefix.length + file.size;
      this.size = ciphertextSize(this.plainSize);
      this.last = Math.floor(this.plainSize / DATA);
    }

    static async create(secret, salt, password, file) {
      const keys = await deriveKeys(secret, salt, password);
      const prefix = metaPrefix(file.name, file.type || "application/octet-stream");
      return new FileEncryptor(keys, salt, prefix, file);
    }

    async plain(start, end) {
      const p = this.prefix.length;
      if (start >= p) { // past the name header: the file's own bytes, no copy
        const bytes = new Uint8Array(await this.file.slice(start - p, end - p).arrayBuffer());
        if (bytes.length !== end - start) throw new Error("The file changed while it was being encrypted.");
        return bytes;
      }
      const out = new Uint8Array(end - start);
      if (start < p) out.set(this.prefix.subarray(start, Math.min(end, p)));
      if (end > p) {
        const from = Math.max(start, p) - p;
        const bytes = new Uint8Array(await this.file.slice(from, end - p).arrayBuffer());
        if (bytes.length !== end - p - from) throw new Error("The file changed while it was being encrypted.");
        out.set(bytes, Math.max(start, p) - start);
      }
      return out;
    }

    async read(offset, length) {
      const start = offset;
      const end = Math.min(offset + length, this.size);
      const out = new Uint8Array(end - start);
      let at = 0;
      if (start < HEADER) {
        const head = header(this.salt).subarray(start, Math.min(end, HEADER));
        out.set(head);
        at += head.length;
      }
      if (end <= HEADER) return out;
      const first = Math.floor(Math.max(0, start - HEADER) / RS);
      const last = Math.min(Math.floor((end - 1 - HEADER) / RS), this.last);
      // The plaintext a few records at a time (1 MiB): memory stays near the block's size.
      for (let group = first; group <= last; group += RECORDS_PER_READ) {
        const upto = Math.min(group + RECORDS_PER_READ, last + 1);
        const plainStart = group * DATA;
        const plain = await this.plain(plainStart, Math.min(upto * DATA, this.plainSize));
        for (let index = group; index < upto; index += 1) {
          const recordAt = HEADER + index * RS;
          const offsetInPlain = index * DATA - plainStart;
          const sealed = await seal(this.keys, index, plain.subarray(offsetInPlain, offsetInPlain + DATA), index === this.last);
          const piece = sealed.subarray(Math.max(0, start - recordAt), Math.max(0, end - recordAt));
          out.set(piece, at);
          at += piece.length;
        }
      }
      return out;
    }
  }

  // Ciphertext in, verified plaintext of the file out; `onMeta({name, type})` once the name
  // header is read. A record is opened only once the next byte (or the end) shows whether it is
  // the last, so a stream cut at a record boundary fails instead of looking complete.
  function decryptStream(secret, password, onMeta) {
    const chunks = [];
    let buffered = 0;
    let keys = null;
    let index = 0;
    let meta = null;
    let metaBytes = new Uint8Array(0);

    function take(count) {
      if (chunks[0].length >= count) { // within one chunk: a view, no copy
        const view = chunks[0].subarray(0, count);
        if (view.length === chunks[0].length) chunks.shift();
        else chunks[0] = chunks[0].subarray(count);
        buffered -= count;
        return view;
      }
      const out = new Uint8Array(count);
      let at = 0;
      while (at < count) {
        const chunk = chunks[0];
        const used = Math.min(chunk.length, count - at);
        out.set(chunk.subarray(0, used), at);
        at += used;
        if (used === chunk.length) chunks.shift();
        else chunks[0] = chunk.subarray(used);
      }
      buffered -= count;
      return out;
    }

    function emit(data, controller) {
      if (meta === null) {
        const joined = new Uint8Array(metaBytes.length + data.length);
        joined.set(metaBytes);
        joined.set(data, metaBytes.length);
        metaBytes = joined;
        if (metaBytes.length < 4) return;
        const length = new DataView(metaBytes.buffer).getUint32(0);
        if (length > MAX_META) throw new DecryptError("the encrypted name header is malformed");
        if (metaBytes.length < 4 + length) return;
        try {
          meta = JSON.parse(new TextDecoder().decode(metaBytes.subarray(4, 4 + length)));
        } catch {
          throw new DecryptError("the encrypted name header is malformed");
        }
        onMeta(meta);
        data = metaBytes.subarray(4 + length);
        metaBytes = null;
      }
      if (data.length) controller.enqueue(data); // a view of the record's own fresh buffer
    }

    return new TransformStream({
      async transform(chunk, controller) {
        chunks.push(new Uint8Array(chunk));
        buffered += chunk.byteLength;
        if (keys === null) {
          if (buffered < HEADER) return;
          const head = take(HEADER);
          const rs = new DataView(head.buffer).getUint32(16);
          if (rs !== RS || head[20] !== 0) throw new DecryptError("not a file encrypted by this service");
          keys = await deriveKeys(secret, head.slice(0, 16), password);
        }
        while (buffered > RS) emit(await open(keys, index++, take(RS), false), controller);
      },
      async flush(controller) {
        if (keys === null || buffered === 0) throw new DecryptError("the encrypted file is truncated");
        emit(await open(keys, index++, take(buffered), true), controller);
        if (meta === null) throw new DecryptError("the encrypted file is truncated");
      },
    });
  }

  return { RS, DATA, DecryptError, b64url, unb64url, parseFragment, fragment, FileEncryptor, decryptStream, ciphertextSize };
})();
