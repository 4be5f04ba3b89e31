// Security keys (WebAuthn, decision 0020). No inline script (the CSP forbids it): buttons say what to do.
//  - [data-security-key-register="<options url>"] with data-register-url: enrol a new key on the
//    second-factor page;
//  - [data-security-key-assert="<options url>"]: answer a challenge with one of the person's keys; the answer
//    (JSON) goes into the `otp` field of the button's form, which is then submitted.
// Buttons stay hidden where the browser has no WebAuthn.
(function () {
  "use strict";
  if (!window.PublicKeyCredential || !navigator.credentials) return;

  function fromB64url(text) {
    const s = text.replace(/-/g, "+").replace(/_/g, "/");
    const bin = atob(s + "===".slice((s.length + 3) % 4));
    return Uint8Array.from(bin, (c) => c.charCodeAt(0)).buffer;
  }
  function toB64url(buffer) {
    let bin = "";
    new Uint8Array(buffer).forEach((b) => { bin += String.fromCharCode(b); });
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function token() {
    const field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }
  async function post(url, body) {
    const response = await fetch(url, { method: "POST", body: body || new FormData(), credentials: "same-origin",
                                        headers: { "X-CSRFToken": token() } });
    const data = await response.json();
    if (!response.ok) throw new Error(data.error || response.statusText);
    return data;
  }
  function serialise(credential) {
    if (typeof credential.toJSON === "function") return JSON.stringify(credential.toJSON());
    const r = credential.response;
    const out = { id: credential.id, rawId: toB64url(credential.rawId), type: credential.type,
                  clientExtensionResults: credential.getClientExtensionResults(), response: {} };
    ["clientDataJSON", "attestationObject", "authenticatorData", "signature", "userHandle"].forEach((k) => {
      if (r[k]) out.response[k] = toB64url(r[k]);
    });
    return JSON.stringify(out);
  }
  function say(button, text) {
    const place = button.parentElement.querySelector(".security-key-status");
    if (place) place.textContent = text;
  }

  async function register(button) {
    const options = await post(button.dataset.securityKeyRegister);
    options.challenge = fromB64url(options.challenge);
    options.user.id = fromB64url(options.user.id);
    (options.excludeCredentials || []).forEach((c) => { c.id = fromB64url(c.id); });
    const credential = await navigator.credentials.create({ publicKey: options });
    const body = new FormData();
    body.append("response", serialise(credential));
    const name = document.getElementById("security-key-name");
    body.append("name", name ? name.value : "");
    await post(button.dataset.registerUrl, body);
    window.location.reload();
  }

  async function answer(button) {
    const options = await post(button.dataset.securityKeyAssert);
    options.challenge = fromB64url(options.challenge);
    (options.allowCredentials || []).forEach((c) => { c.id = fromB64url(c.id); });
    const credential = await navigator.credentials.get({ publicKey: options });
    const form = button.closest("form");
    form.querySelector("[name=otp]").value = serialise(credential);
    form.requestSubmit();
  }

  document.querySelectorAll("[data-security-key-register], [data-security-key-assert]").forEach((button) => {
    button.hidden = false;
    button.addEventListener("click", (event) => {
      event.preventDefault();
      const work = button.dataset.securityKeyRegister ? register(button) : answer(button);
      work.catch((error) => say(button, error.message || String(error)));
    });
  });
})();
