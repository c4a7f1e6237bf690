"""REST endpoints: regions."""

urlpatterns: list = []
