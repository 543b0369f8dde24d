"""The whole catalog (`all_exercises`, what substitutes and the equipment vocabulary read) from
the Supabase adapter equals the embedded one's, read in as many requests as PostgREST's max-rows
needs, and the cache keeps it: a second question asks the server nothing."""

from peakhealth.catalog.cache import CachedCatalog
from peakhealth.catalog.embedded import EmbeddedCatalog
from peakhealth.catalog.supabase import SupabaseCatalog
from tests.support import SERVICE_ROLE_KEY
from tests.support.postgrest import PostgrestServer


async def test_the_whole_catalog_is_read_past_max_rows_and_equals_the_embedded_one() -> None:
    with PostgrestServer() as server:
        server.max_rows = 10
        supabase = SupabaseCatalog(server.url, SERVICE_ROLE_KEY)
        try:
            found = await supabase.all_exercises()
        finally:
            await supabase.aclose()
        assert found == await EmbeddedCatalog().all_exercises()
        assert len(found) > 10 and server.count("exercises") == -(-len(found) // 10)


async def test_the_cache_keeps_the_whole_catalog() -> None:
    with PostgrestServer() as server:
        cached = CachedCatalog(SupabaseCatalog(server.url, SERVICE_ROLE_KEY), ttl_seconds=300)
        try:
            first = await cached.all_exercises()
            asked = server.count("exercises")
            assert await cached.all_exercises() == first
            assert server.count("exercises") == asked == 1
        finally:
            await cached.aclose()
