"""The FastAPI application behind ``shiftnet serve``: one page, three JSON endpoints that call
the library (predict, spectrum, assign), downloads of a prediction, and the limits that keep a
bad request from hurting the server (upload size, zip checks, a time limit per request)."""

from __future__ import annotations

import asyncio
import logging
import secrets
import shutil
import tempfile
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from fastapi import FastAPI, File, Form, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from ..results import MoleculeResult
from .assign_view import assignment_payload, observed_lists
from .predict_view import DOWNLOADS, first_structure, prediction_payload, predict_structure
from .spectrum_view import ProcessOptions, spectrum_payload
from .uploads import STRUCTURE_SUFFIXES, ArchiveLimits, UploadError, spectrum_path, upload_name

STATIC = Path(__file__).with_name("static")
log = logging.getLogger("shiftnet.web")


@dataclass(frozen=True)
class Limits:
    """Server limits: request body size, seconds per request, concurrent computations, zip bounds."""

    max_upload_bytes: int = 50 * 1024 * 1024
    timeout_s: float = 60.0
    workers: int = 4
    archive: ArchiveLimits = ArchiveLimits()


class RequestError(Exception):
    """A refused request: ``status`` and a message for the page."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class ResultCache:
    """The last ``size`` predictions by random token, for their downloads."""

    def __init__(self, size: int = 64) -> None:
        self.size, self._items, self._lock = size, OrderedDict(), threading.Lock()

    def add(self, result: MoleculeResult) -> str:
        token = secrets.token_urlsafe(9)
        with self._lock:
            self._items[token] = result
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return token

    def get(self, token: str) -> MoleculeResult:
        with self._lock:
            if token not in self._items:
                raise RequestError(404, "this prediction is no longer kept on the server; predict again")
            return self._items[token]


class BodyLimit:
    """ASGI middleware: a request whose body exceeds ``max_bytes`` (declared or streamed) gets
    413 and a JSON message; the rest of its body is read and dropped so that browsers see the
    answer instead of a reset connection."""

    def __init__(self, app, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope["headers"]).get(b"content-length", b"")
        over = length.isdigit() and int(length) > self.max_bytes
        seen, more = 0, True

        async def counted():
            nonlocal seen, over, more
            message = await receive()
            seen += len(message.get("body", b""))
            more = message.get("more_body", False)
            if seen > self.max_bytes:
                over = True
                return {"type": "http.disconnect"}
            return message

        async def guarded(message) -> None:
            if not over:
                await send(message)

        if not over:
            try:
                await self.app(scope, counted, guarded)
            except Exception:
                if not over:
                    raise
        if over:
            while more:
                message = await receive()
                more = message.get("type") == "http.request" and message.get("more_body", False)
            message = f"upload refused: larger than the {self.max_bytes / 2**20:g} MB limit"
            await JSONResponse({"error": message}, status_code=413)(scope, receive, send)


def _page() -> str:
    """The page, with the models' solvents in its solvent menus."""
    from ..solvents import MODEL_SOLVENTS

    options = "".join(f'<option value="{s if s != "unknown" else ""}">{s}</option>' for s in MODEL_SOLVENTS)
    return (STATIC / "index.html").read_text(encoding="utf-8").replace("<!--solvents-->", options)


def _plotly_js() -> Path:
    """plotly.js as bundled with the ``plotly`` Python package (no CDN)."""
    import plotly

    return Path(plotly.__file__).with_name("package_data") / "plotly.min.js"


def _save(upload: UploadFile, folder: Path, name: str) -> Path:
    """Copy an upload into ``folder`` under the server-chosen ``name``."""
    path = folder / name
    with open(path, "wb") as out:
        shutil.copyfileobj(upload.file, out, 1 << 20)
    return path


def _warm_up() -> None:
    """Load the shift models before the first request."""
    from .. import predict

    predict("CC")


def create_app(limits: Limits = Limits()) -> FastAPI:
    """The application; :func:`shiftnet.web.serve` runs it with uvicorn."""
    executor = ThreadPoolExecutor(max_workers=limits.workers, thread_name_prefix="shiftnet-web")
    cache = ResultCache()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await asyncio.get_running_loop().run_in_executor(executor, _warm_up)
        yield
        executor.shutdown(wait=False, cancel_futures=True)

    app = FastAPI(title="shiftnet", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(BodyLimit, max_bytes=limits.max_upload_bytes)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    async def run(work: Callable[..., Any], *args: Any) -> Any:
        """``work(*args)`` on the worker threads, within the time limit."""
        future = executor.submit(work, *args)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), limits.timeout_s)
        except asyncio.TimeoutError:
            future.cancel()
            raise RequestError(504, f"the request took longer than {limits.timeout_s:g} s and was abandoned") from None

    @app.exception_handler(RequestError)
    async def refused(request: Request, exc: RequestError) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=exc.status)

    @app.exception_handler(ValueError)
    async def bad_input(request: Request, exc: ValueError) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=400)

    @app.exception_handler(RequestValidationError)
    async def bad_form(request: Request, exc: RequestValidationError) -> JSONResponse:
        fields = "; ".join(f"{'.'.join(str(p) for p in e['loc'][1:])}: {e['msg']}" for e in exc.errors())
        return JSONResponse({"error": f"invalid form field ({fields})"}, status_code=422)

    @app.exception_handler(Exception)
    async def failed(request: Request, exc: Exception) -> JSONResponse:
        log.exception("request %s failed", request.url.path)
        return JSONResponse({"error": f"internal error ({type(exc).__name__}: {exc})"}, status_code=500)

    @app.get("/", response_class=HTMLResponse)
    async def page() -> str:
        return _page()

    @app.get("/vendor/plotly.min.js")
    async def plotly_js() -> FileResponse:
        return FileResponse(_plotly_js(), media_type="text/javascript", headers={"Cache-Control": "max-age=86400"})

    def predict_work(smiles: str, upload: UploadFile | None, solvent: str, obs_mhz: float) -> dict[str, Any]:
        if upload is not None and upload.filename:
            if not upload.filename.lower().endswith(STRUCTURE_SUFFIXES):
                raise UploadError(f"{upload.filename}: give a .mol or .sdf file")
            with tempfile.TemporaryDirectory(prefix="shiftnet-web-") as folder:
                structure = first_structure(_save(upload, Path(folder), upload_name(upload.filename)), upload.filename)
        elif smiles.strip():
            structure = smiles.strip()
        else:
            raise ValueError("give a SMILES or upload a .mol / .sdf file")
        result = predict_structure(structure, solvent)
        return {**prediction_payload(result, obs_mhz), "token": cache.add(result), "obs_mhz": obs_mhz}

    @app.post("/api/predict")
    async def predict(smiles: str = Form(""), file: UploadFile | None = File(None), solvent: str = Form(""),
                      obs_mhz: float = Form(400.0, gt=20, le=1500)) -> JSONResponse:
        return JSONResponse(await run(predict_work, smiles, file, solvent, obs_mhz))

    @app.get("/api/predict/{token}/{fmt}")
    async def download(token: str, fmt: str, obs_mhz: float = 400.0) -> Response:
        if fmt not in DOWNLOADS:
            raise RequestError(404, f"unknown download format {fmt!r}; use one of {', '.join(DOWNLOADS)}")
        from .predict_view import download as render

        body = await run(render, cache.get(token), fmt, obs_mhz)
        return Response(body, media_type=DOWNLOADS[fmt],
                        headers={"Content-Disposition": f'attachment; filename="shiftnet_prediction.{fmt}"'})

    def spectrum_work(upload: UploadFile, options: ProcessOptions) -> dict[str, Any]:
        from ..spectra import SpectrumReadError

        with tempfile.TemporaryDirectory(prefix="shiftnet-web-") as folder:
            saved = _save(upload, Path(folder), upload_name(upload.filename))
            path = spectrum_path(saved, upload.filename or "upload", Path(folder), limits.archive)
            dataset = upload.filename if path == saved else \
                f"{upload.filename}: {path.relative_to(saved.parent / 'archive').as_posix()}"
            try:
                payload = spectrum_payload(path, options)
            except SpectrumReadError as exc:
                raise UploadError(f"cannot read {dataset}: {exc.reason}") from None
        return {**payload, "dataset": dataset}

    @app.post("/api/spectrum")
    async def spectrum(file: UploadFile = File(...), phase: str = Form("auto"), p0_deg: float = Form(0.0),
                       p1_deg: float = Form(0.0), baseline: str = Form("auto"), reference: str = Form("auto"),
                       offset_ppm: float = Form(0.0), solvent: str = Form(""),
                       lb_hz: float | None = Form(None, ge=0, le=1000)) -> JSONResponse:
        options = ProcessOptions(phase, p0_deg, p1_deg, baseline, reference, offset_ppm, solvent, lb_hz)
        return JSONResponse(await run(spectrum_work, file, options))

    def assign_work(candidates: str, peaks_13c: str, peaks_1h: str, hsqc: str, solvent: str,
                    uploads: dict[str, UploadFile]) -> dict[str, Any]:
        from ..spectra import SpectrumReadError

        with tempfile.TemporaryDirectory(prefix="shiftnet-web-") as folder:
            data = {}
            for experiment, upload in uploads.items():  # each upload in its own folder
                own = Path(folder) / experiment
                own.mkdir()
                saved = _save(upload, own, upload_name(upload.filename))
                data[experiment] = spectrum_path(saved, upload.filename or "upload", own, limits.archive)
            try:
                return assignment_payload(candidates.splitlines(), observed_lists(peaks_13c, peaks_1h, hsqc, data),
                                          solvent)
            except SpectrumReadError as exc:
                raise UploadError(f"cannot read an uploaded experiment: {exc.reason}") from None

    @app.post("/api/assign")
    async def assign(candidates: str = Form(""), peaks_13c: str = Form(""), peaks_1h: str = Form(""),
                     hsqc: str = Form(""), solvent: str = Form(""), data_13c: UploadFile | None = File(None),
                     data_1h: UploadFile | None = File(None), data_hsqc: UploadFile | None = File(None),
                     data_hmbc: UploadFile | None = File(None)) -> JSONResponse:
        uploads = {name: upload for name, upload in
                   (("13C", data_13c), ("1H", data_1h), ("HSQC", data_hsqc), ("HMBC", data_hmbc))
                   if upload is not None and upload.filename}
        return JSONResponse(await run(assign_work, candidates, peaks_13c, peaks_1h, hsqc, solvent, uploads))

    return app
