"""Every answer the API tests receive, checked against the app's own OpenAPI document: the
schema of its operation (route template and method) and status, for the content type it was
sent as. Most handlers answer JSON rendered ahead (or kept) rather than through FastAPI's
`response_model`, so nothing checks them at run time; this check, installed on the `client`
fixtures as an httpx response hook, fails the test that received a non-conforming answer.

Objects in the document are checked closed (no property the schema does not name): a renderer
that adds or misspells a field drifts from the contract as surely as one that drops one."""

import copy
import json
import re
from collections import Counter
from functools import cache
from typing import Any

import httpx
import jsonschema_rs
from fastapi import FastAPI

from peakhealth.app import create_app
from peakhealth.config import Settings
from peakhealth.http.problems import PROBLEM_JSON

# (operation or "-", status) -> answers checked, over the whole session: shows the check ran.
checked: Counter[tuple[str, int]] = Counter()


class NonConformingAnswer(AssertionError):
    """An answer the OpenAPI document does not describe."""


def _closed(schema: Any) -> Any:
    """`schema` with `additionalProperties: false` on every object schema that names its
    properties and says nothing about others."""
    if isinstance(schema, dict):
        out = {key: _closed(value) for key, value in schema.items()}
        if "properties" in out and "additionalProperties" not in out:
            out["additionalProperties"] = False
        return out
    if isinstance(schema, list):
        return [_closed(item) for item in schema]
    return schema


def _pattern(template: str) -> re.Pattern[str]:
    """`/api/things/{id}` as a pattern of the paths it stands for."""
    return re.compile(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)))


class AnswerContract:
    """The routes and documented responses of one app (every app the tests build has the
    same routes and document, so one per process serves them all)."""

    def __init__(self, app: FastAPI) -> None:
        self.document = copy.deepcopy(app.openapi())
        self._components = _closed(self.document["components"])
        # Templates by specificity: where a literal segment and a parameter both match (none do
        # today), the literal wins, as it must for the app to reach it.
        self._templates = sorted(
            ((template, _pattern(template)) for template in self.document["paths"]),
            key=lambda item: item[0].count("{"),
        )
        self._validators: dict[tuple[str, ...], jsonschema_rs.Validator] = {}

    def operation(self, method: str, path: str) -> str | None:
        """The path template of the operation `method path` calls, as the document names it."""
        for template, pattern in self._templates:
            if pattern.fullmatch(path):
                return template if method.lower() in self.document["paths"][template] else None
        return None

    def _validator(self, *where: str) -> jsonschema_rs.Validator:
        """The validator of the schema found at `where` (keys into the document)."""
        if where not in self._validators:
            schema: Any = self.document
            for key in where:
                schema = schema[key]
            root = {**_closed(schema), "components": self._components}
            self._validators[where] = jsonschema_rs.Draft202012Validator(
                root, validate_formats=True
            )
        return self._validators[where]

    def check(self, method: str, path: str, status: int, media_type: str, body: bytes) -> None:
        """Raises NonConformingAnswer unless the document describes this answer."""
        if not body or method in ("HEAD", "OPTIONS"):
            return
        template = self.operation(method, path)
        where: tuple[str, ...]
        if template is None:
            # No operation (an unknown path, a method the path does not have, a refusal before
            # routing): only a problem can answer.
            if media_type != PROBLEM_JSON:
                if path.startswith("/api/"):
                    raise NonConformingAnswer(f"{method} {path} {status}: {media_type} answer")
                return  # the docs pages, the document itself
            where = ("components", "schemas", "Problem")
        else:
            responses = self.document["paths"][template][method.lower()]["responses"]
            content = responses.get(str(status), {}).get("content", {})
            if status == 500 and not content and media_type == PROBLEM_JSON:
                # No operation means to fail (the document lists none), but the tests that make
                # one fail still get a problem.
                where = ("components", "schemas", "Problem")
            elif media_type not in content:
                documented = {code: list(r.get("content", {})) for code, r in responses.items()}
                raise NonConformingAnswer(
                    f"{method} {template} answered {status} as {media_type};"
                    f" documented: {documented}"
                )
            elif not media_type.endswith("json"):
                # A documented answer that is no JSON (the iCalendar feed): its own tests parse it.
                checked[(f"{method} {template}", status)] += 1
                return
            else:
                where = ("paths", template, method.lower(), "responses", str(status), "content")
                where += (media_type, "schema")
        try:
            answer = json.loads(body)
        except ValueError as error:
            raise NonConformingAnswer(
                f"{method} {path} {status}: not JSON: {body[:200]!r}"
            ) from error
        errors = [
            f"/{'/'.join(map(str, error.instance_path))}: {error.message[:300]}"
            for error in self._validator(*where).iter_errors(answer)
        ]
        if media_type == PROBLEM_JSON and isinstance(answer, dict) and answer["status"] != status:
            errors.append(f"/status: {answer['status']} in a {status} answer")
        if errors:
            raise NonConformingAnswer(f"{method} {template or path} {status}: {errors[:5]}")
        checked[(f"{method} {template}" if template else "-", status)] += 1

    async def hook(self, response: httpx.Response) -> None:
        """An httpx response hook: checks each answer as it arrives."""
        await response.aread()
        media_type = response.headers.get("content-type", "").split(";")[0].strip()
        request = response.request
        self.check(
            request.method, request.url.path, response.status_code, media_type, response.content
        )


def summary(verbose: bool) -> list[str]:
    """Lines for the end of a run: how many answers were checked and, verbose, which documented
    success answers no test received."""
    lines = [
        f"answers checked against the OpenAPI document: {checked.total()}"
        f" ({len(checked)} operation and status pairs)"
    ]
    if verbose:
        for template, operations in contract().document["paths"].items():
            for method, operation in operations.items():
                for code in operation["responses"]:
                    seen = (f"{method.upper()} {template}", int(code))
                    if (
                        int(code) < 300
                        and seen not in checked
                        and operation["responses"][code].get("content")
                    ):
                        lines.append(f"  never received: {seen[0]} {code}")
    return lines


@cache
def contract() -> AnswerContract:
    """The contract of an app on the default settings, built once per process (the document
    takes seconds to build)."""
    return AnswerContract(create_app(Settings(_env_file=None)))  # type: ignore[call-arg]


def checking_client(app: FastAPI, **options: Any) -> httpx.AsyncClient:
    """An in-process client of `app` whose every answer is checked against the document."""
    transport = httpx.ASGITransport(app=app)
    return httpx.AsyncClient(
        transport=transport,
        base_url="http://test",
        event_hooks={"response": [contract().hook]},
        **options,
    )
