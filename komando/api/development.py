"""REST endpoints: development."""

urlpatterns: list = []
