"""Shared fixtures: reference data, personas, service checks, and the live system and browser of
the browser and end-to-end tests (``komando/tests/live.py``, ``komando/tests/browser.py``).

The suite runs twice in ``make test``: on SQLite, then on PostgreSQL (``DATABASE_URL``). A test
that needs a service that is down fails with a message saying which one; nothing skips silently.
"""

import os
import socket
from pathlib import Path

import pytest
from django.conf import settings

SHARED_DATA = Path(settings.PROJECT_DIR).parent / "shared" / "data"


def require_service(name: str, host: str, port: int) -> None:
    try:
        with socket.create_connection((host, port), timeout=2):
            return
    except OSError as error:
        pytest.fail(f"{name} at {host}:{port} is not reachable ({error}); `make services` starts it", pytrace=False)


@pytest.fixture(scope="session", autouse=True)
def _database_reachable():
    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        db = settings.DATABASES["default"]
        require_service("PostgreSQL", db.get("HOST") or "127.0.0.1", int(db.get("PORT") or 5432))


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"../shared/data is absent ({SHARED_DATA}): official reference files not available")
    return SHARED_DATA


def load_reference_data() -> None:
    """The city's regions, OPDs and sources, loaded as `komando load-reference-data` does."""
    from komando.agencies.actions import do_load_agencies
    from komando.regions.actions import do_load_regions
    from komando.sources.actions import do_load_sources

    city = settings.KOMANDO_CITY_DIR
    do_load_regions(city / "regions.csv")
    do_load_agencies(city / "agencies.csv")
    do_load_sources(city / "sources.csv")


def flushes_the_database(item: pytest.Item) -> bool:
    """A transactional test (``django_db(transaction=True)``, ``transactional_db``, ``live_server``):
    pytest-django empties every table after it instead of rolling back."""
    marker = item.get_closest_marker("django_db")
    names = getattr(item, "fixturenames", ())
    return bool(marker and marker.kwargs.get("transaction")) or "transactional_db" in names or "live_server" in names


_initial_rows: list = []  # (model, rows) of the test database as set up: migrations' data and reference data


def remember_initial_rows() -> None:
    from django.apps import apps
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    _initial_rows.clear()
    for model in apps.get_models(include_auto_created=True):
        if model in (ContentType, Permission) or model._meta.proxy or not model._meta.managed:
            continue  # content types and permissions are made again after a flush (post_migrate)
        rows = list(model._base_manager.order_by("pk").values())
        if rows:
            _initial_rows.append((model, rows))


def restore_initial_rows() -> None:
    """The rows the database was set up with, with their ids (rows that refer to them stay valid)."""
    from django.db import transaction

    with transaction.atomic():  # foreign keys are checked at commit: any order of tables is fine
        for model, rows in _initial_rows:
            model._base_manager.bulk_create([model(**row) for row in rows])


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    result = yield
    # The flush emptied every table: the next test finds them as set up (after the last test the
    # test database is gone already).
    if flushes_the_database(item) and nextitem is not None:
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            restore_initial_rows()
    return result


@pytest.fixture
def reference_data(db):
    """The city's regions, OPDs and sources (as `komando load-reference-data` loads them). Loaded once
    into each test database (``django_db_setup``): every test's rollback keeps it, and it is put back
    after each transactional test's flush."""


@pytest.fixture
def without_reference_data(db):
    """The test database as migrations leave it, without the city's reference data (for a test that
    loads another city): the preloaded rows are deleted in the test's transaction, so they are back
    for the next test."""
    from komando.agencies.models import Agency
    from komando.regions.models import Region
    from komando.sources.models import Source

    Source.objects.all().delete()
    Agency.objects.all().delete()
    while Region.objects.exists():  # a region's parent is protected: the leaves first
        Region.objects.filter(children__isnull=True).delete()


@pytest.fixture
def personas(reference_data):
    """Users per role: operator, opd_officer (Dinkes), executive, administrator, outsider (no role)."""
    from django.contrib.auth.models import Group, User

    from komando.accounts.actions import do_ensure_role_groups
    from komando.accounts.models import Profile, Role
    from komando.agencies.models import Agency

    do_ensure_role_groups()
    users = {}
    for username, role, agency in [
        ("operator", Role.OPERATOR, None),
        ("opd_officer", Role.OPD_OFFICER, "dinkes"),
        ("executive", Role.EXECUTIVE, None),
        ("administrator", Role.ADMINISTRATOR, None),
        ("outsider", None, None),
    ]:
        user = User.objects.create_user(username=username, password="correct-horse-battery")
        if role:
            user.groups.add(Group.objects.get(name=role))
        if role == Role.ADMINISTRATOR:
            user.is_staff = user.is_superuser = True
            user.save()
        Profile.objects.create(user=user, agency=Agency.objects.filter(code=agency).first() if agency else None)
        users[username] = user
    return users


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 costs ~0.5 s per password: tests that create personas use a fast hasher instead."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_intake_caches():
    """The intake catalogue and the city's kelurahan index are cached per process and keyed by
    fingerprints of their tables, read at most once a second; a test's rolled-back rows can leave the
    same fingerprint behind for the next test (SQLite reuses ids; time may be frozen), and the next
    test may come within that second, so every test starts without them."""
    from komando.incidents import catalogue, geo

    catalogue.clear_cache()
    geo.clear_cache()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database with the city's reference data, loaded once (each pytest-xdist worker has a
    database of its own); after a transactional test's flush, the rows it was set up with come back.
    PostgreSQL's connection pool keeps connections to the test database open; they are closed before
    pytest-django drops it (else: "database is being accessed by other users" and a leftover database)."""
    with django_db_blocker.unblock():
        load_reference_data()
        remember_initial_rows()
    yield
    from django.db import connections

    with django_db_blocker.unblock():
        for connection in connections.all():
            if getattr(connection, "pool", None) is not None:
                connection.close_pool()


@pytest.fixture(scope="session")
def live_template(tmp_path_factory) -> Path:
    """A migrated SQLite database with the city's reference data, built once per run and shared by
    the pytest-xdist workers (their temporary directories have one parent)."""
    from komando.tests.live import build_template

    base = tmp_path_factory.getbasetemp()
    return build_template((base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "live-template")


@pytest.fixture(scope="module")
def live_system(live_template, tmp_path_factory):
    """Start real systems (``komando.tests.live.start_live_system``; its options: ``seed``, ``env``,
    ``workers``, ``simulators``, ``redis``, ``mqtt``, ``server``); all stopped after the module."""
    from komando.tests.live import start_live_system

    systems = []

    def start(**options):
        systems.append(start_live_system(tmp_path_factory.mktemp("live-system"), live_template, **options))
        return systems[-1]

    yield start
    for system in systems:
        system.stop_all()


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium (headless) through Playwright, one per module; pages come from
    ``komando.tests.browser.open_context``."""
    from playwright.sync_api import sync_playwright

    from komando.tests.browser import CHROMIUM, CHROMIUM_ARGS

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing; `make browser` installs Debian's Chromium", pytrace=False)
    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        yield chromium
    finally:
        chromium.close()
        playwright.stop()
