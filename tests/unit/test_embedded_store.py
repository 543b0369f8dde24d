"""The embedded store's proxy: calls counted, pre-encoded values stored as a server would."""

import bson
from bson.raw_bson import RawBSONDocument

from peakhealth.embedded import EmbeddedClient


async def test_pre_encoded_values_are_stored_as_plain_documents() -> None:
    store = EmbeddedClient()
    collection = store["db"]["x"]
    raw = RawBSONDocument(bson.encode({"name": "A", "sections": [{"exerciseId": "e"}]}))
    await collection.insert_many([{"n": 1, "snapshot": raw}, {"n": 2, "snapshot": raw}])
    assert await collection.count_documents({"snapshot.sections.exerciseId": "e"}) == 2
    found = await collection.find_one({"n": 1})
    assert found["snapshot"] == {"name": "A", "sections": [{"exerciseId": "e"}]}
    assert store.calls["insert_many"] == 1 and store.calls["count_documents"] == 1


async def test_documents_sharing_a_pre_encoded_value_are_stored_apart() -> None:
    collection = EmbeddedClient()["db"]["x"]
    raw = RawBSONDocument(bson.encode({"name": "A", "sections": [{"exerciseId": "e"}]}))
    await collection.insert_many([{"n": 1, "snapshot": raw}, {"n": 2, "snapshot": raw}])
    await collection.update_one({"n": 1}, {"$set": {"snapshot.sections.0.exerciseId": "f"}})
    changed, untouched = await collection.find({}).sort("n").to_list(None)
    assert changed["snapshot"]["sections"][0]["exerciseId"] == "f"
    assert untouched["snapshot"] == {"name": "A", "sections": [{"exerciseId": "e"}]}
