from django.urls import path

from . import views, views_history

app_name = "leaderboard"
urlpatterns = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("status/", views.status, name="status"),
    # History pages: fixed first segments ("models", "changes"…) and, for a board's changes,
    # a third segment the board route (two segments) cannot match — listed first all the same.
    path("models/<path:key>/", views_history.model_detail, name="model"),
    path("organizations/", views_history.organization_list, name="organizations"),
    path("organizations/<str:slug>/", views_history.organization_detail, name="organization"),
    path("changes/", views_history.changes, name="changes"),
    path("changes/feed/", views_history.changes_feed, name="changes-feed"),
    path("compare/", views_history.compare, name="compare"),
    path("corrections/", views_history.corrections_log, name="corrections"),
    path("<slug:arena>/<slug:category>/changes/", views_history.changes, name="board-changes"),
    path(
        "<slug:arena>/<slug:category>/changes/feed/",
        views_history.changes_feed,
        name="board-changes-feed",
    ),
    path("<slug:arena>/<slug:category>/", views.BoardView.as_view(), name="board"),
    path(
        "<slug:arena>/<slug:category>/export.<slug:export>",
        views.BoardView.as_view(),
        name="board-export",
    ),
]
