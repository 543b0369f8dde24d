"""What `peakhealth purge`, `peakhealth indexes` and `serve --demo` do once connected, run
in-process on the embedded store (the commands themselves refuse it: it lives in the memory of
one serving process)."""

import re
from datetime import timedelta

import httpx
import pytest
from beanie import PydanticObjectId
from fastapi import FastAPI

from peakhealth import demo
from peakhealth.cli import check_indexes, purge_expired
from peakhealth.config import DEVELOPMENT_JWT_SECRET
from peakhealth.routines.documents import TemplateRoutineDocument
from peakhealth.timestamps import utc_now
from tests.support.actions import create
from tests.support.callers import Caller
from tests.support.paths import TEMPLATES
from tests.support.plans import strength_section, template_body


def routine_body() -> dict[str, object]:
    return template_body([{"name": "A", "type": "strength", "sections": [strength_section()]}])


async def archived_past_purge_date(client: httpx.AsyncClient, who: Caller, id_: str) -> None:
    response = await client.put(f"{TEMPLATES}/{id_}/archive", headers=who.headers)
    assert response.status_code == 200, response.text
    await TemplateRoutineDocument.get_motor_collection().update_one(
        {"_id": PydanticObjectId(id_)}, {"$set": {"purgeAt": utc_now() - timedelta(days=1)}}
    )


async def test_purge_spares_template_versions_an_assignment_points_to(
    client: httpx.AsyncClient,
    admin: Caller,
    trainer: Caller,
    client_user: Caller,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assigned = await create(client, trainer, TEMPLATES, routine_body())
    unused = await create(client, trainer, TEMPLATES, routine_body())
    linked = await client.put(
        f"/api/trainers/{trainer.id}/clients/{client_user.id}", headers=admin.headers
    )
    assert linked.status_code == 204
    assignment = await client.post(
        "/api/routine-assignments",
        json={
            "routineVersionId": assigned["id"],
            "userId": client_user.id,
            "startDate": "2026-11-23",
        },
        headers=trainer.headers,
    )
    assert assignment.status_code == 201, assignment.text
    for routine in (assigned, unused):
        await archived_past_purge_date(client, trainer, routine["id"])

    progress: list[str] = []
    assert await purge_expired(progress.append) == 1

    left = await TemplateRoutineDocument.get_motor_collection().distinct("_id", {})
    assert left == [PydanticObjectId(assigned["id"])]
    assert "template routine: 1 archived version(s) purged" in capsys.readouterr().out
    assert progress == [
        line
        for kind in ("section", "workout", "template routine")
        for line in (
            f"{kind}: purging archived versions past their purge date",
            f"{kind}: repairing chains a failure left half-changed",
        )
    ]


async def test_index_check_lists_what_is_out_of_order_and_apply_fixes_it(
    app: FastAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    routines = TemplateRoutineDocument.get_motor_collection()
    await routines.drop_index("template_chain_version")
    await routines.create_index(
        [("parentRoutineId", 1), ("version", 1)],
        unique=True,
        partialFilterExpression={"routineType": "template"},
        name="template_chain_version_unique",
    )
    assert await check_indexes(apply=False, progress=pytest.fail) is False
    out = capsys.readouterr().out
    assert "routines: not in order\n" in out
    assert "chain_heads: in order\n" in out
    assert "  routines: missing index 'template_chain_version'" in out
    assert 'db.routines.dropIndex("template_chain_version_unique")' in out

    progress: list[str] = []
    assert await check_indexes(apply=True, progress=progress.append) is True
    assert "not in order" not in capsys.readouterr().out
    assert progress[0].startswith("routines: dropping index 'template_chain_version_unique'")
    assert progress[1].startswith("routines: creating index 'template_chain_version'")


async def test_demo_prints_export_lines_whose_tokens_the_curl_calls_use(
    client: httpx.AsyncClient,
) -> None:
    ids = await demo.load_demo()
    text = demo.instructions(ids, demo.demo_tokens(DEVELOPMENT_JWT_SECRET), "http://test")
    exported = dict(re.findall(r"^  export (\w+)='([^']+)'$", text, re.MULTILINE))
    assert set(exported) == {"TRAINER_TOKEN", "CLIENT_TOKEN", "ADMIN_TOKEN"}
    calls = re.findall(r'^  curl -H "Authorization: Bearer \$(\w+)" "?(\S+?)"?$', text, re.M)
    assert len(calls) == 5  # a template, sections, the week, the maximum, the records
    for variable, url in calls:
        headers = {"Authorization": f"Bearer {exported[variable]}"}
        response = await client.get(url, headers=headers)
        assert response.status_code == 200, (url, response.text)
        assert response.content != b'{"data":[]}'
