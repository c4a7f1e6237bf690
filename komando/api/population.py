"""REST endpoints: population."""

urlpatterns: list = []
