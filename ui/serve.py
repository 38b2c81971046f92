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


def http_routes(service: Service, auth: tuple[str, str] | None = None) -> list[Any]:
    """Plain HTTP routes beside the Gradio app (Starlette, outside Gradio's queue).

    ``GET /health``: 200 ``{"status": "ok", documents, passages, encoder}`` when searches can be answered,
    503 ``{"status": "unavailable", "detail": ...}`` otherwise (no index yet, a damaged workspace). For load
    balancers and uptime checks, so it needs no login and says nothing about the documents beyond their
    number.

    ``GET /api/search?q=…&k=10&mode=hybrid&country=JP&region=…&lang=…&kind=…&measure=…&measure_all=…
    &year=2019-2022&per_doc=1`` (repeat a filter for several values): the search endpoint's JSON without
    Gradio's request path, which costs ~150 ms a request against ~13 ms of search at CCLW scale. A bad
    value is 400 ``{"error": "<one line>"}``. With ``--auth`` it requires the same user and password
    (HTTP Basic).
    """
    import base64
    import secrets

    from policyscope.corpus.errors import PolicyscopeError
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

    def authorized(request: Any) -> bool:
        if auth is None:
            return True
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            user, _, password = base64.b64decode(value, validate=True).decode("utf-8").partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        return secrets.compare_digest(user.encode(), auth[0].encode()) & secrets.compare_digest(
            password.encode(), auth[1].encode())

    def search(request: Any) -> JSONResponse:
        if not authorized(request):
            return JSONResponse({"error": "login required"}, status_code=401,
                                headers={"WWW-Authenticate": 'Basic realm="policyscope"'})
        params = request.query_params
        filters = {name: params.getlist(name) for name in ("country", "region", "doc", "lang", "kind", "measure",
                                                            "measure_all") if name in params}
        for name in ("year", "year_from", "year_to"):
            if name in params:
                filters[name] = params[name]
        unknown = sorted(set(params) - set(filters) - {"q", "k", "mode", "per_doc"})
        if unknown:
            return JSONResponse({"error": f"unknown parameter(s) {', '.join(unknown)}"}, status_code=400)
        try:
            from policyscope.index.search import SearchFilters

            result = service.search_tab.search_filtered(
                params.get("q", ""), SearchFilters.from_options(**filters), params.get("k", 10),
                params.get("mode", "hybrid"), params.get("per_doc", 0),
            )
        except PolicyscopeError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse(result.to_dict())

    return [Route("/health", health, methods=["GET"]), Route("/api/search", search, methods=["GET"])]


#: Gradio's queue for this app. Searches are serialized by the workspace's search lock (milliseconds each),
#: so more workers than cores only add contention; the queue is long enough that 100 clients at once wait
#: instead of getting 503 "queue is full" (64 refused 503 of 722 requests in the load test).
QUEUE = {"default_concurrency_limit": 2, "max_size": 512}

#: Longest wait at start for the searcher's models before the port opens anyway (see :func:`run_server`).
WARM_TIMEOUT = 120


#: The page's fonts: the system's. Gradio's default theme has every fresh page load download Source Sans Pro
#: (106 KB, two weights) and IBM Plex Mono (35 KB) and lay the page out again when each arrives (issue #11);
#: the Chinese, Japanese and Korean text is set in system fonts either way.
FONTS = {"font": ("ui-sans-serif", "system-ui", "sans-serif"),
         "font_mono": ("ui-monospace", "Consolas", "monospace")}


def launch_kwargs(settings: Settings, host: str = "127.0.0.1", port: int | None = 7860,
                  auth: tuple[str, str] | None = None, max_upload_mb: int = 50,
                  service: Service | None = None) -> dict[str, Any]:
    """Arguments for ``Blocks.launch`` shared by the server and the tests (with ``service``: ``/health`` and
    ``/api/search``, see :func:`http_routes`)."""
    import gradio as gr
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
        "theme": gr.themes.Default(**FONTS),
        "css": asset("app.css"),
        "js": asset("keys.js"),  # the Tag review tab's keyboard shortcuts (ignored while typing in a field)
        "footer_links": ["api"],
        "quiet": True,
        "share": False,
        "ssr_mode": False,
        **({"app_kwargs": {"routes": http_routes(service, auth)}} if service is not None else {}),
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
        from policyscope.ui.pickers import warm_page

        service.workspace.warm_up()
        # and the views the first page load asks for
        warm_page(service.workspace, service.corpus_tab.corpus_table, service.compare_tab.heatmap,
                  service.compare_tab.timeline)
    return service, build_app(service)


def run_server(settings: Settings, host: str = "127.0.0.1", port: int = 7860,
               auth: tuple[str, str] | None = None, max_upload_mb: int = 50) -> None:
    """Build if needed (with progress bars on stderr), then serve until interrupted."""
    import typer
    from policyscope.ui.console import progress_bars

    with progress_bars() as progress:
        service, demo = create(settings, max_upload_mb, progress, warm=True)
    # The port opens once the first search can be answered in milliseconds: a user who searches as soon
    # as the address is printed must not wait for the encoder and dictionaries (seconds) to load.
    if not service.workspace.wait_warm(WARM_TIMEOUT):
        log.warning("models still loading after %d s; serving anyway", WARM_TIMEOUT)
    typer.echo(f"policyscope: {service.workspace.status}", err=True)
    scheme_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    typer.echo(f"serving on http://{scheme_host}:{port}" + (" (login required)" if auth else ""), err=True)
    if host not in ("127.0.0.1", "localhost", "::1") and not auth:
        typer.echo("warning: the app is reachable from other machines without a login; consider --auth",
                   err=True)
    demo.queue(**QUEUE).launch(**launch_kwargs(settings, host, port, auth, max_upload_mb, service=service))
