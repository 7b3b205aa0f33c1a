from django.contrib.auth import views as auth_views
from django.urls import path

from core.ratelimit import login_failures_limited

from . import views

urlpatterns = [
    path("login/", login_failures_limited(auth_views.LoginView.as_view()), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("register/", views.register, name="register"),
]
