"""Views of the session interop tests (DJAUTH_DJANGO_SESSIONS=1): a login
that takes a username and password, a whoami that names the session's
user ("" when anonymous), and a logout."""
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


urlpatterns = [
    path("login/", login_view),
    path("whoami/", whoami),
    path("logout/", logout_view),
]
