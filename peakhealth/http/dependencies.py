"""Dependencies shared by routers: the current user, role requirements, path ids, adapters.

Every dependency is `async def`, even when it awaits nothing: FastAPI runs a plain `def`
dependency in a worker thread, a hand-off per request that costs more than the work."""

from typing import Annotated, Any

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from peakhealth.catalog.port import ExerciseCatalog
from peakhealth.config import Settings
from peakhealth.errors import FieldError, Forbidden, ValidationFailed
from peakhealth.http.rate_limit import verified_upstream
from peakhealth.identity.directory import UserDirectory
from peakhealth.identity.tokens import InvalidToken, TokenVerifier
from peakhealth.identity.users import CurrentUser
from peakhealth.logs import note_caller
from peakhealth.plan.base import is_object_id

bearer = HTTPBearer(auto_error=False, description="Supabase access token")


async def current_user(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> CurrentUser:
    """The verified caller, as the rate limiter verified it when it did. Verification awaits the
    JWKS fetch it may need (httpx's async client): no thread, no blocked event loop."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise InvalidToken("send 'Authorization: Bearer <Supabase access token>'")
    user = verified_upstream(request, credentials.credentials)
    if user is None:
        verifier: TokenVerifier = request.app.state.verifier
        user = await verifier.verify(credentials.credentials)
    note_caller(user.id)  # the request's log line names the caller
    return user


User = Annotated[CurrentUser, Depends(current_user)]


async def plan_author(user: User) -> CurrentUser:
    """Trainers and admins; clients get 403."""
    if not user.authors_plans:
        raise Forbidden("only trainers and admins build the library and publish templates")
    return user


Author = Annotated[CurrentUser, Depends(plan_author)]


ID_PATTERN = "^[0-9a-fA-F]{24}$"


async def document_id(
    id: Annotated[
        str,
        Path(
            description="Id (24 hex characters)",
            json_schema_extra={"pattern": ID_PATTERN},  # checked below, with a clearer message
        ),
    ],
) -> str:
    """The `{id}` of a path: 24 hex characters (422 naming `id` otherwise), lower-cased."""
    if not is_object_id(id):
        raise ValidationFailed([FieldError("id", "must be an id of 24 hex characters")])
    return id.lower()


DocumentId = Annotated[str, Depends(document_id)]
VersionId = DocumentId  # the id of one version of a chain

# Route option: fields a stored document does not have are left out of the answer.
OMIT_ABSENT: dict[str, Any] = {"response_model_exclude_none": True}


async def settings(request: Request) -> Settings:
    configured: Settings = request.app.state.settings
    return configured


async def catalog(request: Request) -> ExerciseCatalog:
    adapter: ExerciseCatalog = request.app.state.catalog
    return adapter


async def directory(request: Request) -> UserDirectory:
    adapter: UserDirectory = request.app.state.directory
    return adapter


AppSettings = Annotated[Settings, Depends(settings)]
Catalog = Annotated[ExerciseCatalog, Depends(catalog)]
Directory = Annotated[UserDirectory, Depends(directory)]
