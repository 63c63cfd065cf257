// djauth passkeys: runs the WebAuthn ceremonies against the JSON endpoints
// of mfa/passkey's Handler. No dependencies, no build step.
//
//   <script src="/passkey/passkey.js" data-prefix="/passkey/"></script>
//   djauthPasskey.register("Laptop")        // -> {id, name}
//   djauthPasskey.signIn()                  // second factor of the pending login
//   djauthPasskey.signInPasswordless()      // modal passkey picker
//   djauthPasskey.signInConditional()       // passkey autofill; call on page load
//
// Each returns a Promise that rejects with an Error whose .code is the
// server's error code (or the DOMException's name, e.g. "NotAllowedError").
//
// Pages need no script of their own: on load, passkey.js shows every
// [data-djauth-passkey-box] (hidden without JavaScript or WebAuthn) and
// wires, by data attributes,
//   <button data-djauth-passkey="signin|passwordless" data-redirect=URL data-error=ID>
//   <form data-djauth-passkey="register" data-redirect=URL data-error=ID> (field "name")
// and, when an <input autocomplete="username webauthn"> and a passwordless
// button are on the page, starts passkey autofill (conditional mediation).
// On success the page goes to data-redirect; errors are written into the
// element whose id is data-error (give it role="alert").
(function () {
  "use strict";
  var current = document.currentScript;
  var prefix = (current && current.dataset.prefix) || "/passkey/";

  function toBytes(s) {
    s = s.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) s += "=";
    var bin = atob(s), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out.buffer;
  }
  function toB64url(buf) {
    var bytes = new Uint8Array(buf), bin = "";
    for (var i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function post(path, body) {
    // Step-up guards answer 403 {"error", "url"}: url is the page that
    // confirms it is the user.
    return fetch(prefix + path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(body || {})
    }).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (data) {
        if (!resp.ok) {
          var err = new Error(data.message || (data.url ? "Please confirm it\u2019s you first." : "HTTP " + resp.status));
          err.code = data.error || "http_" + resp.status;
          if (data.url) err.url = data.url;
          throw err;
        }
        return data;
      });
    });
  }

  function creationOptions(opts) {
    var pk = opts.publicKey;
    pk.challenge = toBytes(pk.challenge);
    pk.user.id = toBytes(pk.user.id);
    (pk.excludeCredentials || []).forEach(function (c) { c.id = toBytes(c.id); });
    return { publicKey: pk };
  }
  function requestOptions(opts) {
    var pk = opts.publicKey;
    pk.challenge = toBytes(pk.challenge);
    (pk.allowCredentials || []).forEach(function (c) { c.id = toBytes(c.id); });
    var out = { publicKey: pk };
    if (opts.mediation) out.mediation = opts.mediation;
    return out;
  }

  function attestationJSON(cred) {
    var r = cred.response;
    return {
      id: cred.id, rawId: toB64url(cred.rawId), type: cred.type,
      authenticatorAttachment: cred.authenticatorAttachment || undefined,
      clientExtensionResults: cred.getClientExtensionResults(),
      response: {
        clientDataJSON: toB64url(r.clientDataJSON),
        attestationObject: toB64url(r.attestationObject),
        transports: r.getTransports ? r.getTransports() : []
      }
    };
  }
  function assertionJSON(cred) {
    var r = cred.response;
    return {
      id: cred.id, rawId: toB64url(cred.rawId), type: cred.type,
      authenticatorAttachment: cred.authenticatorAttachment || undefined,
      clientExtensionResults: cred.getClientExtensionResults(),
      response: {
        clientDataJSON: toB64url(r.clientDataJSON),
        authenticatorData: toB64url(r.authenticatorData),
        signature: toB64url(r.signature),
        userHandle: r.userHandle ? toB64url(r.userHandle) : undefined
      }
    };
  }

  function rethrow(e) {
    if (e && !e.code && e.name) e.code = e.name;
    throw e;
  }

  // pending is the AbortController of a conditional request waiting for
  // autofill: any other ceremony aborts it first, as one page may hold
  // only one navigator.credentials request.
  var pending = null;
  function abortPending() {
    if (pending) { pending.abort(); pending = null; }
  }

  // begins serialises the begin requests: the server keeps one
  // passwordless ceremony per session, so a button's begin must land
  // after the autofill's that it replaces.
  var begins = Promise.resolve();

  function assert(begin, finish, body) {
    abortPending();
    var ctrl = null;
    if (body && body.conditional) ctrl = pending = new AbortController();
    var started = begins.then(function () { return post(begin, body); });
    begins = started.catch(function () {});
    return started
      .then(function (opts) {
        var o = requestOptions(opts);
        if (ctrl) o.signal = ctrl.signal;
        return navigator.credentials.get(o);
      })
      .then(function (cred) { return post(finish, { credential: assertionJSON(cred) }); })
      .catch(rethrow);
  }

  window.djauthPasskey = {
    supported: function () { return !!(window.PublicKeyCredential && navigator.credentials); },
    conditionalSupported: function () {
      if (!window.PublicKeyCredential || !PublicKeyCredential.isConditionalMediationAvailable) {
        return Promise.resolve(false);
      }
      return PublicKeyCredential.isConditionalMediationAvailable();
    },
    register: function (name) {
      abortPending();
      return post("register/begin", {})
        .then(function (opts) { return navigator.credentials.create(creationOptions(opts)); })
        .then(function (cred) { return post("register/finish", { name: name || "", credential: attestationJSON(cred) }); })
        .catch(rethrow);
    },
    signIn: function () { return assert("login/begin", "login/finish", {}); },
    signInPasswordless: function () { return assert("passwordless/begin", "passwordless/finish", { conditional: false }); },
    signInConditional: function () { return assert("passwordless/begin", "passwordless/finish", { conditional: true }); }
  };

  // Page wiring.
  function message(e) {
    switch (e && e.code) {
      case "NotAllowedError": return "The passkey request was cancelled or timed out.";
      case "InvalidStateError": return "This passkey is already registered.";
      case "SecurityError": return "Passkeys cannot be used on this address.";
      case "NotSupportedError": return "This browser cannot use a passkey here.";
    }
    return (e && e.message) || "Something went wrong. Try again.";
  }
  function report(el, e) {
    if (e && e.url) {
      location.assign(e.url.indexOf("?") < 0 ? e.url + "?next=" + encodeURIComponent(location.pathname) : e.url);
      return;
    }
    var box = el.dataset.error && document.getElementById(el.dataset.error);
    if (box) box.textContent = message(e);
  }
  function done(el) {
    location.assign(el.dataset.redirect || location.href);
  }
  function clear(el) {
    var box = el.dataset.error && document.getElementById(el.dataset.error);
    if (box) box.textContent = "";
  }
  function wire() {
    var api = window.djauthPasskey;
    if (!api.supported()) return;
    Array.prototype.forEach.call(document.querySelectorAll("[data-djauth-passkey-box]"), function (el) { el.hidden = false; });
    Array.prototype.forEach.call(document.querySelectorAll("[data-djauth-passkey]"), function (el) {
      var kind = el.dataset.djauthPasskey;
      if (el.tagName === "FORM" && kind === "register") {
        el.hidden = false;
        el.addEventListener("submit", function (ev) {
          ev.preventDefault();
          clear(el);
          var button = el.querySelector("button[type=submit], button:not([type])");
          if (button) button.disabled = true;
          api.register(el.elements.name ? el.elements.name.value : "")
            .then(function () { done(el); }, function (e) { report(el, e); })
            .then(function () { if (button) button.disabled = false; });
        });
        return;
      }
      if (el.tagName !== "BUTTON") return;
      var run = kind === "signin" ? api.signIn : kind === "passwordless" ? api.signInPasswordless : null;
      if (!run) return;
      el.addEventListener("click", function () {
        clear(el);
        el.disabled = true;
        run().then(function () { done(el); }, function (e) { el.disabled = false; report(el, e); if (e.code !== "AbortError") el.focus(); });
      });
    });
    var button = document.querySelector('button[data-djauth-passkey="passwordless"]');
    if (button && document.querySelector('input[autocomplete~="webauthn"]')) {
      api.conditionalSupported().then(function (ok) {
        if (!ok) return;
        api.signInConditional().then(function () { done(button); }, function (e) {
          // An abort is another ceremony taking over; other failures
          // of autofill are shown like the button's.
          if (e && e.code !== "AbortError" && e.code !== "NotAllowedError") report(button, e);
        });
      });
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", wire); else wire();
})();
