"""Read models: lenient twins of the plan models, and tree counts."""

from bson import ObjectId
from pydantic import TypeAdapter

from peakhealth.plan.reading import count_tree, lenient, read_model
from peakhealth.plan.routines import TemplateRoutine
from peakhealth.plan.sections import Section
from peakhealth.versioning.documents import SCHEMA_VERSION, upgrade

UUID = "00000000-0000-4000-8000-000000000001"


def stored_section(**extra: object) -> dict[str, object]:
    return {
        "_id": ObjectId(),
        "type": "emom",
        "name": "Finisher",
        "emomDuration": 500,  # beyond today's 120-minute bound
        "rounds": 3,
        "exercises": [
            {
                "_id": ObjectId(),
                "type": "strength",
                "exerciseId": UUID,
                "exerciseVariantId": UUID,
                "sets": [{"_id": ObjectId(), "repType": "fixed", "unknown": 1}],
            }
        ],
        **extra,
    }


def test_read_model_ignores_unknown_fields_and_rules() -> None:
    adapter = TypeAdapter(lenient(Section))
    section = adapter.validate_python(stored_section(laterField=True))
    shown = adapter.dump_python(section, mode="json", by_alias=True, exclude_none=True)
    assert shown["emomDuration"] == 500  # not re-checked against today's bounds
    assert "laterField" not in shown
    assert "unknown" not in shown["exercises"][0]["sets"][0]
    assert shown["exercises"][0]["sets"][0]["id"] == str(section.exercises[0].sets[0].id)
    assert "_id" not in str(shown)


def test_read_models_are_made_once_and_keep_field_names() -> None:
    assert read_model(TemplateRoutine) is read_model(TemplateRoutine)
    assert set(read_model(TemplateRoutine).model_fields) == set(TemplateRoutine.model_fields)


def test_count_tree() -> None:
    routine = {"workouts": [{"sections": [stored_section(), stored_section()]}, {"sections": []}]}
    counts = count_tree(routine)
    assert counts.model_dump() == {"workouts": 2, "sections": 2, "exercises": 2, "sets": 2}


def test_upgrade_adds_counts_to_version_1_documents() -> None:
    old = {"schemaVersion": 1, **stored_section()}
    upgraded = upgrade(old)
    assert upgraded["schemaVersion"] == SCHEMA_VERSION
    assert upgraded["counts"]["sets"] == 1
    assert "counts" not in old
    current = {"schemaVersion": SCHEMA_VERSION, "counts": {"sets": 9}}
    assert upgrade(current) is current


def test_content_is_stored_with_underscore_ids_and_no_nulls() -> None:
    from peakhealth.plan.routines import TemplateRoutine
    from peakhealth.versioning.documents import content_fields
    from tests.support.plans import strength_section, template_body, warmup_section

    workout = {"name": "A", "type": "strength", "sections": [strength_section(), warmup_section()]}
    stored = content_fields(TemplateRoutine.model_validate(template_body([workout])))
    text = repr(stored)
    assert "'id':" not in text and "None" not in text
    section = stored["workouts"][0]["sections"][0]
    assert isinstance(section["_id"], ObjectId)
    assert isinstance(section["exercises"][0]["sets"][0]["_id"], ObjectId)
    assert section["exercises"][0]["restBetweenSets"] == "PT3M"
    assert stored["counts"] == {"workouts": 1, "sections": 2, "exercises": 3, "sets": 5}
