from django.urls import path

from . import views

app_name = "leaderboard"
urlpatterns = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("status/", views.status, name="status"),
    path("<slug:arena>/<slug:category>/", views.BoardView.as_view(), name="board"),
    path(
        "<slug:arena>/<slug:category>/export.<slug:export>",
        views.BoardView.as_view(),
        name="board-export",
    ),
]
