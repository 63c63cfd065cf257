"""Views of the session interop tests (DJAUTH_DJANGO_SESSIONS=1): a login
that takes a username and password, a whoami that names the session's
user ("" when anonymous), and a logout; with DJAUTH_DJANGO_OTP=1 also
otp/, which reports django-otp's is_verified() and the session's device,
and otp-login/, a login verified with a TOTP token through
django_otp.login."""
from django.contrib.auth import authenticate, login, logout
from django.http import HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def login_view(request):
    user = authenticate(request, username=request.POST.get("username"), password=request.POST.get("password"))
    if user is None:
        return HttpResponse("bad credentials", status=403)
    login(request, user)
    return HttpResponse("ok")


def whoami(request):
    return JsonResponse({"user": request.user.get_username() if request.user.is_authenticated else ""})


@csrf_exempt
def logout_view(request):
    logout(request)
    return HttpResponse("ok")


def otp_status(request):
    device = getattr(request.user, "otp_device", None)
    return JsonResponse({
        "user": request.user.get_username() if request.user.is_authenticated else "",
        "verified": request.user.is_verified(),
        "device": device.persistent_id if device is not None else "",
    })


@csrf_exempt
def otp_login_view(request):
    from django_otp import login as otp_login
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = authenticate(request, username=request.POST.get("username"), password=request.POST.get("password"))
    if user is None:
        return HttpResponse("bad credentials", status=403)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None or not device.verify_token(request.POST.get("token")):
        return HttpResponse("bad token", status=403)
    login(request, user)
    otp_login(request, device)
    return HttpResponse("ok")


urlpatterns = [
    path("otp/", otp_status),
    path("otp-login/", otp_login_view),
    path("login/", login_view),
    path("whoami/", whoami),
    path("logout/", logout_view),
]
