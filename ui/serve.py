"""``policyscope serve``: build on first start (progress in the terminal), then serve the app.

Security defaults: binds 127.0.0.1 unless ``host`` says otherwise; optional login; uploads capped
in size (``max_file_size``) and type (checked again server-side); the only extra path Gradio may
serve is ``<home>/exports`` (dataset downloads) — never anything outside the workspace.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from policyscope.corpus.config import Settings

if TYPE_CHECKING:
    import gradio as gr
    from policyscope.index.pipeline import Progress
    from policyscope.ui.service import Service

log = logging.getLogger(__name__)


def health_routes(service: Service) -> list[Any]:
    """``GET /health``: 200 ``{"status": "ok", documents, passages, encoder}`` when searches can be answered,
    503 ``{"status": "unavailable", "detail": ...}`` otherwise (no index yet, a damaged workspace).

    For load balancers and uptime checks, so it needs no login and says nothing about the documents
    beyond their number. It reads the loaded index's manifest: no search, no store query.
    """
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    def health(request: Any) -> JSONResponse:
        try:
            index = service.workspace.searcher.index
        except Exception as exc:  # noqa: BLE001 - any failure to load means "not ready", said in one line
            detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            return JSONResponse({"status": "unavailable", "detail": detail}, status_code=503)
        counts = index.manifest.get("counts", {})
        return JSONResponse({
            "status": "ok", "documents": counts.get("documents"), "passages": index.n,
            "encoder": index.manifest.get("encoder", {}).get("name"),
        })

    return [Route("/health", health, methods=["GET"])]


#: Gradio's queue for this app. Searches are serialized by the workspace's search lock (milliseconds each),
#: so more workers than cores only add contention; the queue is long enough that 100 clients at once wait
#: instead of getting 503 "queue is full" (64 refused 503 of 722 requests in the load test).
QUEUE = {"default_concurrency_limit": 2, "max_size": 512}


def launch_kwargs(settings: Settings, host: str = "127.0.0.1", port: int | None = 7860,
                  auth: tuple[str, str] | None = None, max_upload_mb: int = 50,
                  service: Service | None = None) -> dict[str, Any]:
    """Arguments for ``Blocks.launch`` shared by the server and the tests (with ``service``: ``/health``)."""
    from policyscope.ui.render import asset

    exports = settings.home / "exports"
    exports.mkdir(parents=True, exist_ok=True)
    return {
        "server_name": host,
        "server_port": port,
        "auth": auth,
        "max_file_size": f"{int(max_upload_mb)}mb",
        "show_error": False,
        "allowed_paths": [str(exports.resolve())],
        "css": asset("app.css"),
        "js": asset("keys.js"),  # the Tag review tab's keyboard shortcuts (ignored while typing in a field)
        "footer_links": ["api"],
        "quiet": True,
        "share": False,
        "ssr_mode": False,
        **({"app_kwargs": {"routes": health_routes(service)}} if service is not None else {}),
    }


def create(settings: Settings, max_upload_mb: int = 50, progress: Progress | None = None,
           warm: bool = False) -> tuple[Service, gr.Blocks]:
    """(service, demo) for a workspace, building the built-in corpus first if needed (and with
    ``warm``, loading the searcher's models on a background thread meanwhile)."""
    from policyscope.ui.app import build_app
    from policyscope.ui.service import Service

    service = Service(settings, max_upload_mb=max_upload_mb)
    service.workspace.ensure_built(progress)
    if warm:  # models and dictionaries for the first search load while Gradio imports and starts
        service.workspace.warm_up()
    return service, build_app(service)


def run_server(settings: Settings, host: str = "127.0.0.1", port: int = 7860,
               auth: tuple[str, str] | None = None, max_upload_mb: int = 50) -> None:
    """Build if needed (with progress bars on stderr), then serve until interrupted."""
    import typer
    from policyscope.ui.console import progress_bars

    with progress_bars() as progress:
        service, demo = create(settings, max_upload_mb, progress, warm=True)
    typer.echo(f"policyscope: {service.workspace.status}", err=True)
    scheme_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    typer.echo(f"serving on http://{scheme_host}:{port}" + (" (login required)" if auth else ""), err=True)
    if host not in ("127.0.0.1", "localhost", "::1") and not auth:
        typer.echo("warning: the app is reachable from other machines without a login; consider --auth",
                   err=True)
    demo.queue(**QUEUE).launch(**launch_kwargs(settings, host, port, auth, max_upload_mb, service=service))
