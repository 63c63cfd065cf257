# Generates ../openapi.json: python3 testdata/openapi_gen.py > openapi.json (run in api/).
# TestOpenAPIMatchesRoutes checks the result against the handlers.
import json
S = lambda name: {"$ref": "#/components/schemas/" + name}
str_ = {"type": "string"}
int_ = {"type": "integer"}
bool_ = {"type": "boolean"}
def obj(props, required=None, extra=None):
    o = {"type": "object", "properties": props}
    if required: o["required"] = required
    if extra is not None: o["additionalProperties"] = extra
    return o
def arr(items): return {"type": "array", "items": items}
tok = {"session_token": {"type": "string", "description": "The new session token, for token transport only, when it changed (\"\" after sign-out). Also sent in the Session-Token header."}}

schemas = {
 "Error": obj({"error": obj({
    "code": {"type": "string", "enum": ["bad_request","body_too_large","unsupported_media_type","csrf_failed","invalid_token","not_authenticated","invalid_credentials","inactive","login_refused","validation_failed","throttled","mfa_not_pending","invalid_code","too_many_attempts","unknown_factor","no_device","step_up_required","not_configured","signup_closed","invalid_reset_link","invalid_invitation","social_failed","not_found","method_not_allowed","conflict","forbidden","impersonating","busy","server_error","no_ceremony","verification_failed","cloned","invalid_name","duplicate","disabled"]},
    "message": str_,
    "fields": {"type": "object", "additionalProperties": arr(str_)},
    "url": str_}, ["code","message"])}, ["error"]),
 "User": obj({"id": int_, "username": str_, "email": str_, "first_name": str_, "last_name": str_,
    "is_staff": bool_, "is_superuser": bool_, "last_login": {"type": ["string","null"], "format": "date-time"},
    "date_joined": {"type": "string", "format": "date-time"}}, ["id","username","email","is_staff","is_superuser","last_login","date_joined"]),
 "LoginAnswer": obj(dict({"status": {"type": "string", "enum": ["authenticated","mfa_required","verification_required","continue"]},
    "user": S("User"), "factors": arr(str_), "url": str_}, **tok), ["status"]),
 "Status": obj(dict({"status": str_}, **tok), ["status"]),
 "Organization": obj({"id": int_, "name": str_, "slug": str_, "is_admin": bool_, "is_owner": bool_}, ["id","name","slug","is_admin","is_owner"]),
 "Organizations": obj(dict({"organizations": arr(S("Organization")), "current": {"type": ["integer","null"]}}, **tok), ["organizations","current"]),
 "OrgAnswer": obj(dict({"organization": S("Organization")}, **tok), ["organization"]),
 "Members": obj(dict({"members": arr(obj({"user_id": int_, "is_admin": bool_, "is_owner": bool_}, ["user_id","is_admin","is_owner"]))}, **tok), ["members"]),
 "InvitationAnswer": obj(dict({"invitation": obj({"id": int_, "email": str_, "is_admin": bool_, "expires_at": str_}, ["id","email","is_admin","expires_at"])}, **tok), ["invitation"]),
 "Me": obj({"user": S("User"), "groups": arr(str_), "permissions": arr(str_),
    "mfa": obj({"verified": bool_, "factor": str_}, ["verified"]), "organization": S("Organization"),
    "impersonating": dict(bool_, description="The session is an impersonation: user is the impersonated account; the actions only its own person may take answer 403 impersonating."),
    "impersonator": dict(obj({"id": int_, "username": str_}, ["id","username"]), description="The superuser acting as user, while they may still come back.")},
    ["user","groups","permissions","mfa","impersonating"]),
 "Session": obj({"id": str_, "current": bool_, "created": {"type": ["string","null"]}, "last_seen": {"type": ["string","null"]},
    "expires": str_, "ip": str_, "user_agent": str_}, ["id","current","expires","ip","user_agent"]),
 "Sessions": obj({"sessions": arr(S("Session"))}, ["sessions"]),
 "Revoked": obj(dict({"revoked": int_, "current": bool_}, **tok), ["revoked"]),
 "Address": obj({"address": obj({"email": str_, "verified": bool_, "primary": bool_}, ["email","verified","primary"])}, ["address"]),
 "Factors": obj({"factors": arr(obj({"kind": str_, "devices": arr(obj({"id": int_, "name": str_}, ["id","name"])), "remaining": int_}, ["kind","devices"]))}, ["factors"]),
 "TOTPBegin": obj({"device_id": int_, "name": str_, "otpauth_uri": str_}, ["device_id","name","otpauth_uri"]),
 "TOTPConfirmed": obj({"device": obj({"id": int_, "name": str_}, ["id","name"])}, ["device"]),
 "RecoveryCodes": obj({"codes": arr(str_)}, ["codes"]),
 "SocialStart": obj(dict({"url": str_}, **tok), ["url"]),
 "Passkey": {"type": "object", "description": "The passkey Handler's JSON answer (WebAuthn options, or {\"ok\":true}, or the new passkey)."},
 "OpenAPI": obj({"openapi": str_, "info": {"type": "object"}, "paths": {"type": "object"}}, ["openapi","paths"], extra=True),
}
for name in ["Me","Sessions","Address","Factors","TOTPBegin","TOTPConfirmed","RecoveryCodes"]:
    schemas[name]["properties"].update(tok)
transport = {"type": "string", "enum": ["cookie","token"]}
req = {
 "signin": obj({"username": str_, "password": str_, "transport": transport}, extra=False),
 "signin/mfa": obj({"factor": str_, "code": str_}, extra=False),
 "signup": obj({"username": str_, "email": str_, "password1": str_, "password2": str_, "transport": transport}, extra=False),
 "email/verify": obj({"email": str_, "code": str_}, extra=False),
 "email": obj({"email": str_}, extra=False),
 "empty": obj({}, extra=False),
 "totp/begin": obj({"name": str_}, extra=False),
 "totp/confirm": obj({"device_id": int_, "code": str_}, extra=False),
 "password/change": obj({"old_password": str_, "new_password1": str_, "new_password2": str_}, extra=False),
 "password/reset/confirm": obj({"uid": str_, "token": str_, "new_password1": str_, "new_password2": str_}, extra=False),
 "passwordless/start": obj({"email": str_, "transport": transport}, extra=False),
 "code": obj({"code": str_}, extra=False),
 "social/start": obj({"next": str_, "transport": transport}, extra=False),
 "social/callback": obj({"code": str_, "state": str_, "error": str_}, extra=False),
 "passkey": {"type": "object"},
}
def resp(desc, schema, headers=None):
    o = {"description": desc, "content": {"application/json": {"schema": S(schema)}}}
    if headers: o["headers"] = {h: {"$ref": "#/components/headers/" + h.replace("-", "")} for h in headers}
    return o
def err(*codes):
    d = {"400": "Malformed body", "401": "Not signed in, or a dead bearer token", "403": "Refused", "404": "Not found or not configured",
         "409": "Conflict", "413": "Body too large", "415": "Not JSON", "422": "Invalid fields or code", "429": "Throttled (Retry-After)", "503": "Busy"}
    return {c: resp(d[c], "Error", ["Retry-After"] if c in ("429","503") else None) for c in codes}
UNSAFE = ["400","401","403","404","413","415"]
ops = []
def op(method, path, summary, ok, okschema, body=None, errs=(), tag="auth", params=None, okdesc="OK"):
    ops.append((method, path, summary, ok, okschema, body, errs, tag, params, okdesc))
op("get","openapi.json","This description",200,"OpenAPI",tag="meta")
op("post","signin","Sign in with a username and password",200,"LoginAnswer",req["signin"],UNSAFE+["401","422","429","503"],okdesc="Signed in; 202 when a second factor is required")
op("post","signin/mfa","Finish a sign-in with a second factor's code",200,"LoginAnswer",req["signin/mfa"],UNSAFE+["401","404","409","422","429"])
op("delete","signin/mfa","Abandon the pending sign-in",200,"Status",req["empty"],UNSAFE+["404"])
op("post","signup","Sign up",201,"LoginAnswer",req["signup"],UNSAFE+["409","422","429"])
op("post","email/verify","Verify an email address with its code",200,"Address",req["email/verify"],UNSAFE+["404","422","429"])
op("post","email/resend","Send the verification mail again",202,"Status",req["email"],UNSAFE+["404","422","429"])
op("post","signout","Sign out",200,"Status",req["empty"],UNSAFE+["401"])
op("get","me","The signed-in user, groups, permissions and second factor",200,"Me",errs=["401"])
op("get","sessions","The user's sessions",200,"Sessions",errs=["401","404"])
op("delete","sessions/{id}","Revoke one session",200,"Revoked",req["empty"],UNSAFE+["401","404"],params=[{"name":"id","in":"path","required":True,"schema":str_}])
op("post","sessions/revoke-others","Revoke every other session",200,"Revoked",req["empty"],UNSAFE+["401","404"])
op("get","mfa/factors","The factors and the user's devices",200,"Factors",errs=["401","404"])
op("post","mfa/totp/begin","Start an authenticator app",201,"TOTPBegin",req["totp/begin"],UNSAFE+["401","404","422"])
op("post","mfa/totp/confirm","Confirm an authenticator app with its first code",200,"TOTPConfirmed",req["totp/confirm"],UNSAFE+["401","404","409","422","429"])
op("post","mfa/recovery/regenerate","Make new recovery codes",200,"RecoveryCodes",req["empty"],UNSAFE+["401","404","409"])
op("post","password/change","Change the password",200,"Status",req["password/change"],UNSAFE+["401","422","429","503"])
op("post","password/reset","Mail a password reset link",202,"Status",req["email"],UNSAFE+["404","422","429"])
op("post","password/reset/confirm","Set a new password with a reset link's uid and token",200,"Status",req["password/reset/confirm"],UNSAFE+["422"])
op("post","passwordless/start","Mail a sign-in code",202,"Status",req["passwordless/start"],UNSAFE+["404","422","429"])
op("post","passwordless/verify","Sign in with the mailed code",200,"LoginAnswer",req["code"],UNSAFE+["404","422","429"])
prov=[{"name":"provider","in":"path","required":True,"schema":str_}]
op("post","social/{provider}/start","The provider's authorization URL",200,"SocialStart",req["social/start"],UNSAFE+["404"],params=prov)
op("post","social/{provider}/callback","Finish a social sign-in with the provider's answer",200,"LoginAnswer",req["social/callback"],UNSAFE+["404"],params=prov)
for p in ["register/begin","register/finish","login/begin","login/finish","passwordless/begin","passwordless/finish"]:
    op("post","passkey/"+p,"Passkey ceremony: "+p,200,"Passkey",req["passkey"],UNSAFE+["401","404","409","429"],tag="passkey")
orgid=[{"name":"id","in":"path","required":True,"schema":{"type":"integer"}}]
op("get","orgs","The user's organizations",200,"Organizations",errs=["401","404"],tag="orgs")
op("post","orgs","Create an organization owned by the user",201,"OrgAnswer",obj({"name": str_, "slug": str_}, extra=False),UNSAFE+["422"],tag="orgs")
op("post","orgs/switch","Make an organization the session's current one",200,"OrgAnswer",obj({"org_id": int_}, extra=False),UNSAFE+["422"],tag="orgs")
op("get","orgs/{id}/members","The members (for members)",200,"Members",errs=["401","404"],tag="orgs",params=orgid)
op("post","orgs/{id}/invitations","Invite an address by mail (admins)",201,"InvitationAnswer",obj({"email": str_, "is_admin": bool_, "role_ids": arr(int_)}, extra=False),UNSAFE+["422"],tag="orgs",params=orgid)
op("post","orgs/invitations/accept","Accept an invitation with its link's token",200,"OrgAnswer",obj({"token": str_}, extra=False),UNSAFE+["409","422","429"],tag="orgs")
paths = {}
for (method, path, summary, ok, okschema, body, errs, tag, params, okdesc) in ops:
    o = {"operationId": (method + "_" + path).replace("/", "_").replace("{","").replace("}","").replace("-","_").replace(".","_"),
         "summary": summary, "tags": [tag], "responses": {str(ok): resp(okdesc, okschema)}}
    if path in ("signin","signup","passwordless/verify","social/{provider}/callback"):
        o["responses"]["202"] = resp("A second step (mfa_required) or verification is needed", "LoginAnswer")
    if body is not None:
        o["requestBody"] = {"required": False, "content": {"application/json": {"schema": body}}}
    # 401: a dead bearer token, on every endpoint; 404: an organization
    # the request names (orgs.Config.FromRequest) that the user is no
    # member of, on every endpoint when organizations are configured.
    o["responses"].update(err(*sorted(set(list(errs) + ["401","404"]))))
    if params: o["parameters"] = params
    paths.setdefault("/" + path, {})[method] = o
doc = {"openapi": "3.1.0",
 "info": {"title": "djauth JSON API", "version": "1", "description": "Every flow of djauth in JSON, under one mount point (default /api/auth/; the paths here are relative to it). Browsers use the session cookie: unsafe requests must be same-origin and Content-Type application/json. Other clients sign in with transport \"token\" and send Authorization: Bearer <session_token>. Errors have one shape, {\"error\":{\"code\",\"message\",\"fields\"}}. A described path asked with a method it does not answer gets 405 method_not_allowed with an Allow header (components.responses.MethodNotAllowed); an unknown path 404 not_found. While the session is an impersonation, the password, second-factor, passkey, email-verification, social and sign-in operations answer 403 impersonating."},
 "servers": [{"url": "/api/auth"}],
 "components": {"schemas": schemas,
  "responses": {"MethodNotAllowed": {"description": "The path exists for other methods (code method_not_allowed); Allow lists them.", "headers": {"Allow": {"$ref": "#/components/headers/Allow"}}, "content": {"application/json": {"schema": S("Error")}}}},
  "headers": {"RetryAfter": {"description": "Seconds to wait before trying again.", "schema": int_}, "Allow": {"description": "The methods the path answers, comma-separated.", "schema": str_}},
  "securitySchemes": {"cookie": {"type": "apiKey", "in": "cookie", "name": "sessionid"}, "bearer": {"type": "http", "scheme": "bearer"}}},
 "security": [{"cookie": []}, {"bearer": []}],
 "paths": paths}
print(json.dumps(doc, indent=1, sort_keys=False))
