/* Opens a sealed page (render.sealed): the client's key from the password (PBKDF2-SHA-256), kept in this tab's
   sessionStorage so that the password is asked once; the page's own key from it (HKDF-SHA-256); AES-256-GCM; gunzip;
   then the page replaces this one. A wrong password fails the GCM tag. */
(function () {
  "use strict";
  var sealed = JSON.parse(document.getElementById("sitegen-sealed").textContent);
  var form = document.getElementById("unlock");
  var input = document.getElementById("unlock-password");
  var status = document.getElementById("unlock-status");
  var storeKey = "sitegen-key:" + sealed.salt;
  var text = new TextEncoder();

  function bytes(base64) {
    var raw = atob(base64), out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }
  function base64(data) {
    var raw = "";
    for (var i = 0; i < data.length; i++) raw += String.fromCharCode(data[i]);
    return btoa(raw);
  }
  async function clientKey(password) {
    var base = await crypto.subtle.importKey("raw", text.encode(password.normalize("NFC")), "PBKDF2", false,
      ["deriveBits"]);
    var bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt: bytes(sealed.salt),
      iterations: sealed.iterations }, base, 256);
    return new Uint8Array(bits);
  }
  async function open(key) {
    var base = await crypto.subtle.importKey("raw", key, "HKDF", false, ["deriveKey"]);
    var fileKey = await crypto.subtle.deriveKey({ name: "HKDF", hash: "SHA-256", salt: bytes(sealed.file_salt),
      info: text.encode("sitegen sealed page v1") }, base, { name: "AES-GCM", length: 256 }, false, ["decrypt"]);
    var packed = await crypto.subtle.decrypt({ name: "AES-GCM", iv: bytes(sealed.nonce) }, fileKey,
      bytes(sealed.data));
    var stream = new Blob([packed]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).text();
  }
  function show(page) {
    document.open();
    document.write(page);
    document.close();
  }
  function remembered() {
    try { return sessionStorage.getItem(storeKey); } catch (e) { return null; }
  }
  function remember(key) {
    try { sessionStorage.setItem(storeKey, base64(key)); } catch (e) { /* storage off: asked again next page */ }
  }
  function ask(message) {
    form.hidden = false;
    status.textContent = message || "";
    input.disabled = false;
    input.focus();
  }

  if (!window.crypto || !crypto.subtle || typeof DecompressionStream === "undefined") {
    form.hidden = false;
    status.textContent = form.dataset.unsupported;
    input.disabled = true;
    return;
  }
  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    status.textContent = form.dataset.opening;
    input.disabled = true;
    var key = await clientKey(input.value);
    var page;
    try {
      page = await open(key);
    } catch (e) {
      input.value = "";
      ask(form.dataset.wrong);
      return;
    }
    remember(key);
    show(page);
  });
  var known = remembered();
  if (known) {
    open(bytes(known)).then(show, function () {
      try { sessionStorage.removeItem(storeKey); } catch (e) { /* nothing kept */ }
      ask();
    });
  } else {
    ask();
  }
})();
