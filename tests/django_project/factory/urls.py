"""No views: the stand-in project exists for its tables, signals and commands."""

urlpatterns: list = []
