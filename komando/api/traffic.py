"""REST endpoints: traffic."""

urlpatterns: list = []
