"""The pure parts of sync: which walk comes next, placeholders, migrations, accounts files."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seventime_async import ValidationError
from seventime_async._sync import Account, load_accounts
from seventime_async._sync._driver import select_families
from seventime_async._sync._schema import POSTGRES, SCHEMA_VERSION, SQLITE, migrations, numbered
from seventime_async._sync._state import FamilyState, plan_walk

NOW = datetime(2025, 3, 1, 2, 0, tzinfo=UTC)
DAY = timedelta(hours=24)
MARK = NOW - timedelta(hours=5)


def test_first_run_is_a_full_scan_numbered_one() -> None:
    walk = plan_walk(FamilyState(), incremental=True, full=False, full_every=DAY, now=NOW)
    assert (walk.kind, walk.scan, walk.started_at, walk.since) == ("full", 1, NOW, None)


def test_incremental_from_the_mark_until_a_full_scan_is_due() -> None:
    synced = FamilyState(scan=4, high_water=MARK, last_full_scan=NOW - timedelta(hours=23))
    walk = plan_walk(synced, incremental=True, full=False, full_every=DAY, now=NOW)
    assert (walk.kind, walk.since, walk.scan) == ("incremental", MARK, 4)
    stale = FamilyState(scan=4, high_water=MARK, last_full_scan=NOW - DAY)
    walk = plan_walk(stale, incremental=True, full=False, full_every=DAY, now=NOW)
    assert (walk.kind, walk.scan) == ("full", 5)
    forced = plan_walk(synced, incremental=True, full=True, full_every=DAY, now=NOW)
    assert (forced.kind, forced.scan) == ("full", 5)


def test_a_family_without_last_modified_is_always_scanned_in_full() -> None:
    synced = FamilyState(scan=2, high_water=MARK, last_full_scan=NOW - timedelta(minutes=1))
    walk = plan_walk(synced, incremental=False, full=False, full_every=DAY, now=NOW)
    assert (walk.kind, walk.scan) == ("full", 3)


interrupted_states = st.builds(
    FamilyState,
    walk=st.sampled_from(["full", "incremental"]),
    cursor=st.none() | st.text(min_size=1, max_size=20),
    walk_since=st.none() | st.just(MARK),
    walk_started_at=st.just(NOW - timedelta(hours=30)),
    scan=st.integers(0, 10**6),
    high_water=st.none() | st.just(MARK),
    last_full_scan=st.none() | st.just(MARK),
)


@settings(deadline=None)
@given(interrupted_states, st.booleans(), st.booleans())
def test_an_interrupted_walk_resumes_as_the_same_walk(
    state: FamilyState, incremental: bool, full: bool
) -> None:
    walk = plan_walk(state, incremental=incremental, full=full, full_every=DAY, now=NOW)
    if full and state.walk == "incremental":
        # --full abandons an interrupted incremental walk for a new full scan.
        assert (walk.kind, walk.scan, walk.cursor, walk.resumed) == (
            "full",
            state.scan + 1,
            None,
            False,
        )
    else:
        # Same kind, scan, since and start: the mark it will set is the first run's.
        assert (walk.kind, walk.scan, walk.since, walk.cursor) == (
            state.walk, state.scan, state.walk_since, state.cursor,
        )  # fmt: skip
        assert walk.started_at == state.walk_started_at and walk.resumed


def test_placeholders_are_numbered_for_postgresql() -> None:
    assert numbered("a = ? AND b IN (?) OR c = ?") == "a = $1 AND b IN ($2) OR c = $3"
    assert numbered("no parameters") == "no parameters"


def test_migrations_run_from_any_version_to_the_current_one() -> None:
    for dialect in (SQLITE, POSTGRES):
        fresh = migrations(dialect, 0, [])
        assert [v for v, _ in fresh] == list(range(1, SCHEMA_VERSION + 1))
        upgrade = migrations(dialect, 1, ["customers", "projects"])
        assert [v for v, _ in upgrade] == [2]
        statements = " ".join(upgrade[0][1])
        assert '"customers" ADD COLUMN seen_scan' in statements
        assert '"projects" ADD COLUMN seen_scan' in statements
        assert migrations(dialect, SCHEMA_VERSION, ["customers"]) == []
    assert "JSONB" in " ".join(migrations(POSTGRES, 0, [])[0][1])


def test_families_skip_those_that_need_a_filter_and_refuse_them_by_name() -> None:
    chosen, skipped = select_families(1)
    names = [f.name for f in chosen]
    assert "customers" in names and "contact_persons" not in names
    assert skipped == {"contact_persons": "needs the filter customer_id to be listed"}
    with pytest.raises(ValidationError, match="contact_persons cannot be synced"):
        select_families(1, ["customers", "contact_persons"])
    with pytest.raises(ValidationError, match="unknown families"):
        select_families(1, ["customer"])
    assert [f.name for f in select_families(1, ["users", "users"])[0]] == ["users"]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "accounts.toml"
    path.write_text(text, "utf-8")
    return path


def test_accounts_file(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        '[[accounts]]\nname = "Åkessons Bygg"\nkey_env = "KEY_AKESSON"\napi_version = 2\n\n'
        '[[accounts]]\nname = "beta"\nkey_env = "KEY_BETA"\napi_version = 1\n'
        'base_url = "http://127.0.0.1:9/api/1"\n',
    )
    assert load_accounts(path) == [
        Account("Åkessons Bygg", "KEY_AKESSON", 2),
        Account("beta", "KEY_BETA", 1, "http://127.0.0.1:9/api/1"),
    ]
    assert load_accounts(path)[0].api_key({"KEY_AKESSON": "s3cret"}) == "s3cret"
    with pytest.raises(ValidationError, match=r"\$KEY_BETA is not set"):
        load_accounts(path)[1].api_key({})


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ('[[accounts]]\nname = "a"\nkey_env = "K"\napi_version = 2\nkey = "hunter2hunter2"\n',
         "keys never go in the accounts file"),
        ('[[accounts]]\nname = "a"\nkey_env = "K"\napi_version = 3\n', "api_version must be"),
        ('[[accounts]]\nname = "a"\nkey_env = "K"\n', "api_version must be"),
        ('[[accounts]]\nname = "a"\nkey_env = "not a variable"\napi_version = 2\n', "key_env"),
        ('[[accounts]]\nname = "a"\nkey_env = "K"\napi_version = 2\ncity = "Båstad"\n',
         "unknown fields"),
        ('[[accounts]]\nname = "a"\nkey_env = "K"\napi_version = 2\n' * 2, "more than once"),
        ("accounts = []\n", "one or more"),
        ("[[accounts]\n", "not valid TOML"),
    ],
)  # fmt: skip
def test_bad_accounts_files_are_refused(tmp_path: Path, text: str, complaint: str) -> None:
    with pytest.raises(ValidationError, match=complaint) as caught:
        load_accounts(_write(tmp_path, text))
    assert "hunter2" not in str(caught.value)
