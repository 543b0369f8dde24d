"""The framework floor: a bare FastAPI app that answers pre-built JSON (the service's own answer,
kept as a dict and serialised by JSONResponse on every request), with none of the service's
middleware, dependencies, database or models.

In process it is called through httpx.ASGITransport like the service; over TCP it runs under
uvicorn with the defaults `peakhealth serve` uses:
`python -m benchmarks.floor_app --port P --answers answers.json`
(answers: {path: {"status": S, "answer": JSON}})."""

import argparse
import json
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse


def floor_app(answers: dict[str, Any], status: dict[str, int] | None = None) -> FastAPI:
    """GET, POST or PUT on a path of `answers` answers its JSON (the request body is read)."""
    status = {} if status is None else status
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    @app.api_route("/{path:path}", methods=["GET", "POST", "PUT"])
    async def answer(path: str, request: Request) -> JSONResponse:
        await request.body()
        key = "/" + path
        return JSONResponse(answers[key], status_code=status.get(key, 200))

    return app


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument(
        "--answers", required=True, help='JSON file: {path: {"status": S, "answer": JSON}}'
    )
    args = parser.parse_args()
    with open(args.answers, encoding="utf-8") as source:
        stored = json.load(source)
    answers = {path: item["answer"] for path, item in stored.items()}
    status = {path: item["status"] for path, item in stored.items()}
    # uvicorn's defaults, as `peakhealth serve` runs it (access log included)
    uvicorn.run(floor_app(answers, status), host=args.host, port=args.port)


if __name__ == "__main__":
    main()
