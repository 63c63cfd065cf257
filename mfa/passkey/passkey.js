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
    return fetch(prefix + path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(body || {})
    }).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (data) {
        if (!resp.ok) {
          var err = new Error(data.message || ("HTTP " + resp.status));
          err.code = data.error || "http_" + resp.status;
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

  function assert(begin, finish, body) {
    return post(begin, body)
      .then(function (opts) { return navigator.credentials.get(requestOptions(opts)); })
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
      return post("register/begin", {})
        .then(function (opts) { return navigator.credentials.create(creationOptions(opts)); })
        .then(function (cred) { return post("register/finish", { name: name || "", credential: attestationJSON(cred) }); })
        .catch(rethrow);
    },
    signIn: function () { return assert("login/begin", "login/finish", {}); },
    signInPasswordless: function () { return assert("passwordless/begin", "passwordless/finish", { conditional: false }); },
    signInConditional: function () { return assert("passwordless/begin", "passwordless/finish", { conditional: true }); }
  };
})();
