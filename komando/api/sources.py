"""REST endpoints: sources."""

urlpatterns: list = []
