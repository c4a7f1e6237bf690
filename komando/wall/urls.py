from django.urls import path

from komando.wall import views

app_name = "wall"
urlpatterns = [
    path("", views.wall_index, name="index"),
    path("<slug:slug>/", views.wall_canvas, name="canvas"),
    path("<slug:slug>/state.json", views.wall_state_view, name="canvas-state"),
    path("<slug:slug>/<int:number>/", views.wall_screen, name="screen"),
    path("<slug:slug>/<int:number>/state.json", views.wall_state_view, name="screen-state"),
]
