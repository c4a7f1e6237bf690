"""REST endpoints: health."""

urlpatterns: list = []
