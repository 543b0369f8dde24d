"""scripts/supabase/make_seed.py and the committed seed.sql (no database needed)."""

from pathlib import Path

import pytest

from tests.support.postgres import SEED, load_make_seed

make_seed = load_make_seed()


def test_seed_sql_is_the_generators_output_for_the_bundled_catalog(catalog: dict) -> None:
    expected = make_seed.render(catalog)
    assert SEED.read_text(encoding="utf-8") == expected, (
        "scripts/supabase/seed.sql is stale: run "
        "python scripts/supabase/make_seed.py > scripts/supabase/seed.sql"
    )


def test_every_catalog_field_maps_to_a_column(catalog: dict) -> None:
    for table, rows in catalog.items():
        assert table in make_seed.TABLES
        for row in rows:
            assert set(row) <= set(make_seed.TABLES[table]), row


def test_text_is_quoted_and_missing_fields_take_the_default() -> None:
    sql = make_seed.render(
        {
            "exercises": [
                {"id": "f2a91df2-4c31-5add-9e8a-15c61a54dbbb", "name": "Farmer's walk"},
                {
                    "id": "00000000-0000-4000-8000-000000000001",
                    "name": "x",
                    "tags": ["it's", "a\\b"],
                },
            ]
        }
    )
    assert "insert into public.exercises (id, name, tags) values" in sql
    assert "'Farmer''s walk', default)" in sql
    assert "array['it''s', 'a\\b']::text[])" in sql
    assert "exercise_variants" not in sql
    assert "    tags = excluded.tags;" in sql


ID = "f2a91df2-4c31-5add-9e8a-15c61a54dbbb"


@pytest.mark.parametrize(
    ("tables", "message"),
    [
        ({"exercises": [{"id": ID, "colour": "red"}]}, "colour is not a column of exercises"),
        ({"exercises": [{"name": "no id"}]}, "id is missing"),
        ({"exercises": [{"id": "not-a-uuid"}]}, "is not a UUID"),
        ({"exercise_variants": [{"id": ID, "is_unilateral": 1}]}, "true or false"),
        ({"exercises": [{"id": ID, "tags": "legs"}]}, "list of strings"),
        ({"muscles": []}, "muscles is not a table"),
    ],
)
def test_the_generator_refuses_what_it_cannot_seed(tables: dict, message: str) -> None:
    with pytest.raises(make_seed.SeedError, match=message):
        make_seed.render(tables)


def test_the_generator_is_a_command(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    source = tmp_path / "catalog.json"
    source.write_text('{"exercises": [{"id": "f2a91df2-4c31-5add-9e8a-15c61a54dbbb", "x": 1}]}')
    assert make_seed.main(["make_seed.py", str(source)]) == 1
    assert "x is not a column of exercises" in capsys.readouterr().err
    assert make_seed.main(["make_seed.py"]) == 0
    assert capsys.readouterr().out == SEED.read_text(encoding="utf-8")
